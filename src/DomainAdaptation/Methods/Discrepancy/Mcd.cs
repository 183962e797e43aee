using System.Globalization;
using System.Text.Json.Nodes;
using DomainAdaptation.Methods.Regularizers;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Methods.Discrepancy;

/// <summary>
/// Maximum classifier discrepancy, MCD (Saito et al., CVPR 2018, "Maximum Classifier Discrepancy for Unsupervised Domain
/// Adaptation"): two classifiers F₁ (the model's label classifier) and F₂ (the method's) on one generator G (the feature
/// extractor and bottleneck), trained in three steps per batch with two optimizers. With
/// <c>d(p, q) = mean |p − q|</c> the discrepancy of the two classifiers' target probabilities:
/// </summary>
/// <remarks>
/// <list type="number">
/// <item><description>A: G, F₁ and F₂ minimise <c>CE(F₁(G(x_s)), y_s) + CE(F₂(G(x_s)), y_s) + e · (H(F₁(G(x_t))) + H(F₂(G(x_t))))</c>;</description></item>
/// <item><description>B: with G fixed, F₁ and F₂ minimise the same source losses minus <c>w · d(F₁(G(x_t)), F₂(G(x_t)))</c> (they learn to disagree on the target);</description></item>
/// <item><description>C: with F₁ and F₂ fixed, G minimises <c>w · d</c>, <see cref="GeneratorSteps"/> times (it learns features on which they agree).</description></item>
/// </list>
/// <para>
/// Defaults from Transfer-Learning-Library (<c>examples/domain_adaptation/image_classification/mcd.py</c>): 4 generator
/// steps (num_k), w = 1, e = 0.01. F₂ is the one given (the sample passes a second instance of the preset's label
/// classifier, so both have one architecture) or tllib's head F → 1024 → BN → ReLU → 1024 → BN → ReLU → K with dropout
/// 0.5, from the run's seed (<c>method.second_classifier.*</c>). Evaluation uses F₁. Each step costs 2 + num_k forward
/// and backward passes. Under <see cref="Training.Precision.TrainingPrecision.BFloat16Mixed"/> it is refused (two optimizers).
/// </para>
/// <para>Reported: A's "label", "label_2" and "entropy" terms, and "discrepancy", d after the last generator step.</para>
/// </remarks>
public sealed class Mcd : AdaptationMethod
{
    /// <summary>The optimizer of the generator (feature extractor and bottleneck).</summary>
    public const string GeneratorOptimizer = "generator";

    /// <summary>The optimizer of the two classifiers.</summary>
    public const string ClassifierOptimizer = "classifiers";

    private nn.Module<Tensor, Tensor>? _second;
    private AdaptationModel? _model;

    /// <summary>Creates the method.</summary>
    /// <param name="secondClassifier">F₂ (features → K logits), or null to create tllib's head.</param>
    /// <param name="weight">The weight w of the discrepancy; finite, ≥ 0.</param>
    /// <param name="generatorSteps">num_k, the generator steps per batch; ≥ 1.</param>
    /// <param name="entropyWeight">The weight e of the classifiers' target entropy in steps A and B; finite, ≥ 0.</param>
    public Mcd(nn.Module<Tensor, Tensor>? secondClassifier = null, double weight = 1.0, int generatorSteps = 4, double entropyWeight = 0.01)
    {
        _second = secondClassifier;
        Weight = NonNegative(weight, nameof(weight));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(generatorSteps);
        GeneratorSteps = generatorSteps;
        EntropyWeight = NonNegative(entropyWeight, nameof(entropyWeight));
    }

    /// <inheritdoc />
    public override string Name => "mcd";

    /// <summary>The weight w of the discrepancy.</summary>
    public double Weight { get; }

    /// <summary>num_k, the generator steps per batch.</summary>
    public int GeneratorSteps { get; }

    /// <summary>The weight e of the target entropy.</summary>
    public double EntropyWeight { get; }

    /// <inheritdoc />
    public override JsonObject Settings => new() { ["Weight"] = Weight, ["GeneratorSteps"] = GeneratorSteps, ["EntropyWeight"] = EntropyWeight };

    /// <inheritdoc />
    public override IReadOnlyList<OptimizerGroup> OptimizerGroups { get; } =
    [
        new OptimizerGroup(GeneratorOptimizer, ["feature_extractor", "bottleneck"]),
        new OptimizerGroup(ClassifierOptimizer, ["label_classifier"]),
    ];

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"MCD (num_k = {GeneratorSteps}, weight {Weight}, entropy weight {EntropyWeight})");

    /// <summary>The classifier discrepancy <c>mean |softmax(a) − softmax(b)|</c>.</summary>
    /// <param name="a">Logits <c>[B, K]</c>.</param>
    /// <param name="b">Logits <c>[B, K]</c>.</param>
    /// <returns>A scalar in [0, 2/K].</returns>
    public static Tensor Discrepancy(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return (a.softmax(1) - b.softmax(1)).abs().mean();
    }

    /// <inheritdoc />
    public override LossTerms Update(StepUpdater updater, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(updater);
        ArgumentNullException.ThrowIfNull(context);
        AdaptationModel model = _model ?? throw new InvalidOperationException("MCD is not initialised: call Initialize first (the trainer does).");
        nn.Module<Tensor, Tensor> f2 = _second!;

        // A: everything on the source labels (plus a little target entropy).
        StepForward a = updater.Forward(ForwardNeeds.Both);
        Tensor second = StepForward.ToLossPrecision(a.ApplyHead(f2.call));
        LossTerms stepA = SourceTerms(a, a.SourceLogits, a.TargetLogits, second, includeMetric: true).Build();
        updater.Minimize(stepA, GeneratorOptimizer, ClassifierOptimizer);

        // B: the classifiers, on fixed features, learn to disagree on the target.
        StepForward b = updater.Forward(ForwardNeeds.Both);
        Tensor first = StepForward.ToLossPrecision(b.ApplyHead(f => model.ClassifyFeatures(f.detach())));
        Tensor secondB = StepForward.ToLossPrecision(b.ApplyHead(f => f2.call(f.detach())));
        long n = b.SourceCount;
        LossTermsBuilder stepB = SourceTerms(b, first.narrow(0, 0, n), first.narrow(0, n, b.TargetCount), secondB, includeMetric: false);
        stepB.Add("discrepancy", Discrepancy(first.narrow(0, n, b.TargetCount), secondB.narrow(0, n, b.TargetCount)), -Weight);
        updater.Minimize(stepB.Build(), ClassifierOptimizer);

        // C: the generator learns features on which they agree.
        Tensor? discrepancy = null;
        for (int k = 0; k < GeneratorSteps; k++)
        {
            StepForward c = updater.Forward(ForwardNeeds.Target);
            discrepancy = Discrepancy(c.TargetLogits, StepForward.ToLossPrecision(f2.call(c.TargetFeatures)));
            updater.Minimize(new LossTermsBuilder().Add("discrepancy", discrepancy, Weight).Build(), GeneratorOptimizer);
        }

        var report = new LossTermsBuilder();
        foreach (LossTerm term in stepA.Terms) report.Add(term.Name, term.Value, term.Weight);
        foreach (MethodValue metric in stepA.Metrics) report.Metric(metric.Name, metric.Value!);
        report.Metric("discrepancy", discrepancy!.detach().to_type(ScalarType.Float64));
        return report.Build();
    }

    /// <inheritdoc />
    protected override void OnInitialize(MethodSetup setup)
    {
        _model = setup.Model;
        _second ??= Place(SeededInitialization.Run(setup.Seed, () => (nn.Module<Tensor, Tensor>)Heads.Mlp(setup.Features, [1024, 1024], setup.Classes, dropout: 0.5, batchNorm: true)), setup);
        long outputs = ModelInspector.InspectHead(_second, setup.Features, "MCD's second classifier", setup.Device, setup.Dtype);
        if (outputs != setup.Classes)
        {
            throw new ModelCompositionException(string.Create(CultureInfo.InvariantCulture, $"MCD's second classifier gives {outputs} outputs per sample, but the model has {setup.Classes} classes."), ModelPart.LabelClassifier);
        }

        AddModule("second_classifier", _second, optimizer: ClassifierOptimizer);
    }

    private LossTermsBuilder SourceTerms(StepForward forward, Tensor sourceFirst, Tensor targetFirst, Tensor second, bool includeMetric)
    {
        long n = forward.SourceCount;
        Tensor labels = forward.Batch.SourceLabels;
        Tensor sourceSecond = second.narrow(0, 0, n);
        Tensor targetSecond = second.narrow(0, n, forward.TargetCount);
        var terms = new LossTermsBuilder()
            .Add("label", F.cross_entropy(sourceFirst, labels))
            .Add("label_2", F.cross_entropy(sourceSecond, labels));
        if (EntropyWeight > 0)
        {
            terms.Add("entropy", EntropyMinimization.Loss(targetFirst) + EntropyMinimization.Loss(targetSecond), EntropyWeight);
        }

        if (includeMetric) terms.Metric("source_accuracy", Accuracy(sourceFirst, labels));
        return terms;
    }
}
