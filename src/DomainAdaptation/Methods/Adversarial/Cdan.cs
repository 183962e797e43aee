using System.Globalization;
using System.Text.Json.Nodes;
using DomainAdaptation.Methods.Regularizers;
using DomainAdaptation.Models;
using DomainAdaptation.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods.Adversarial;

/// <summary>
/// Conditional domain-adversarial network, CDAN and CDAN+E (Long et al., NeurIPS 2018, "Conditional Adversarial Domain
/// Adaptation"): the domain discriminator D sees the features conditioned on the classifier's predictions,
/// <c>h = T(f, g)</c> with <c>g = softmax(z)</c> (detached), through a gradient reversal layer:
/// <c>L = CE(G_y(f_s), y_s) + w · BCE(D(R_λ(h)), domain)</c>. CDAN+E weights each sample's domain loss by
/// <c>w_i = 1 + e^(−H(g_i))</c>, normalised to mean 1 over the batch, so that confident, transferable samples count more.
/// </summary>
/// <remarks>
/// <para>
/// T is the multilinear map <c>vec(g ⊗ f)</c> when K·F ≤ <see cref="RandomizedThreshold"/> (4,096, the paper's rule),
/// else the randomized multilinear map with d = 1,024 (<see cref="MultilinearMap"/>). D is Transfer-Learning-Library's
/// <c>DomainDiscriminator</c>: T's width → 1024 → BN → ReLU → 1024 → BN → ReLU → 1, created from the run's seed
/// (<c>method.domain_classifier.*</c>; the map's random matrices are <c>method.map.*</c>). λ follows the paper's
/// <c>2/(1+exp(−10p))−1</c>; w = 1 (tllib's trade-off).
/// </para>
/// <para>Reported: "domain" (its weight w), "domain_accuracy", "lambda".</para>
/// </remarks>
public sealed class Cdan : LossMethod, IDomainDiscriminator
{
    /// <summary>Above this K·F the randomized map is used (Long et al. 2018, §3.1).</summary>
    public const long RandomizedThreshold = 4096;

    /// <summary>The randomized map's width d (the paper's and tllib's).</summary>
    public const int DefaultRandomizedDimension = 1024;

    private MultilinearMap? _map;
    private nn.Module<Tensor, Tensor>? _discriminator;

    /// <summary>Creates the method.</summary>
    /// <param name="entropyConditioning">True for CDAN+E.</param>
    /// <param name="weight">The weight w of the domain loss; finite, ≥ 0.</param>
    /// <param name="lambdaSchedule">λ as a function of progress; null for <see cref="LambdaSchedules.Ganin"/>.</param>
    /// <param name="randomized">True or false to force the map; null for the paper's rule (randomized when K·F &gt; 4,096).</param>
    /// <param name="discriminatorWidth">The discriminator's hidden width (tllib: 1024).</param>
    public Cdan(bool entropyConditioning = false, double weight = 1.0, ILambdaSchedule? lambdaSchedule = null, bool? randomized = null, int discriminatorWidth = 1024)
    {
        EntropyConditioning = entropyConditioning;
        Weight = NonNegative(weight, nameof(weight));
        LambdaSchedule = lambdaSchedule ?? LambdaSchedules.Ganin();
        Randomized = randomized;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(discriminatorWidth);
        DiscriminatorWidth = discriminatorWidth;
    }

    /// <inheritdoc />
    public override string Name => EntropyConditioning ? "cdan-e" : "cdan";

    /// <summary>Whether each sample's domain loss is weighted by <c>1 + e^(−H)</c> (CDAN+E).</summary>
    public bool EntropyConditioning { get; }

    /// <summary>The weight w of the domain loss.</summary>
    public double Weight { get; }

    /// <summary>λ as a function of progress.</summary>
    public ILambdaSchedule LambdaSchedule { get; }

    /// <summary>The requested map (null: the paper's rule).</summary>
    public bool? Randomized { get; }

    /// <summary>The discriminator's hidden width.</summary>
    public int DiscriminatorWidth { get; }

    /// <summary>The conditioning map (after initialisation).</summary>
    public MultilinearMap? Map => _map;

    /// <inheritdoc />
    public override JsonObject Settings => new()
    {
        ["EntropyConditioning"] = EntropyConditioning,
        ["Weight"] = Weight,
        ["LambdaSchedule"] = LambdaSchedule.ToString(),
        ["Randomized"] = Randomized,
        ["DiscriminatorWidth"] = DiscriminatorWidth,
    };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"{(EntropyConditioning ? "CDAN+E" : "CDAN")} ({(_map?.IsRandomized ?? Randomized) switch { true => "randomized map", false => "multilinear map", _ => "map by K·F" }}, λ: {LambdaSchedule}, weight {Weight})");

    /// <summary>CDAN+E's sample weights: <c>1 + e^(−H(softmax(z_i)))</c>, scaled to mean 1 (detached).</summary>
    /// <param name="logits">Logits <c>[B, K]</c>.</param>
    /// <returns><c>[B]</c>.</returns>
    public static Tensor EntropyWeights(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        Tensor w = EntropyMinimization.Entropy(logits.detach()).neg().exp().add(1.0);
        return w.mul(w.shape[0]).div(w.sum());
    }

    /// <inheritdoc />
    public Tensor DomainLogits(Tensor features, Tensor classLogits)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(classLogits);
        MultilinearMap map = _map ?? throw new InvalidOperationException("CDAN is not initialised.");
        return _discriminator!.call(map.call(features, classLogits.softmax(1).to_type(features.dtype).detach()));
    }

    /// <inheritdoc />
    protected override void OnInitialize(MethodSetup setup)
    {
        long product = setup.Features * setup.Classes;
        bool randomized = Randomized ?? product > RandomizedThreshold;
        _map = Place(new MultilinearMap(setup.Features, setup.Classes, randomized ? DefaultRandomizedDimension : null, (long)(Data.Batching.DeterministicRandom.Mix(setup.Seed, 7) >> 1)), setup);
        long width = _map.OutputDimension;
        _discriminator = Place(SeededInitialization.Run(setup.Seed, () => (nn.Module<Tensor, Tensor>)Heads.Mlp(width, [DiscriminatorWidth, DiscriminatorWidth], 1, batchNorm: true)), setup);
        AddModule("map", _map, trainable: false);
        AddModule("domain_classifier", _discriminator);
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(terms);
        MultilinearMap map = _map ?? throw new InvalidOperationException("CDAN is not initialised: call Initialize first (the trainer does).");
        nn.Module<Tensor, Tensor> d = _discriminator!;
        double lambda = LambdaSchedule.ValueAt(context.Progress);
        Tensor domainLogits = StepForward.ToLossPrecision(forward.ApplyHead((f, z) => d.call(map.call(f, z.softmax(1).to_type(f.dtype).detach()).ReverseGradient(lambda))));
        Tensor domains = Dann.DomainLabels(forward.SourceCount, forward.TargetCount, domainLogits.device);
        Tensor? weights = EntropyConditioning ? EntropyWeights(forward.Logits) : null;
        (Tensor loss, Tensor accuracy) = Dann.DomainLossAndAccuracy(domainLogits, domains, DomainLossKind.BinaryCrossEntropyWithLogits, weights);
        terms.Add("domain", loss, Weight);
        terms.Metric("domain_accuracy", accuracy);
        terms.Schedule("lambda", lambda);
    }
}
