using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Selection.Validators;

/// <summary>
/// Deep embedded validation, DEV (You et al., ICML 2019, "Towards Accurate Model Selection in Deep Unsupervised Domain
/// Adaptation"): the source validation loss reweighted by importance weights <c>w(x) = p(target | x) / p(source | x) ·
/// N_s / N_t</c>, estimated by a domain classifier on the model's features, with a control variate that lowers its
/// variance: <c>R = mean(w ℓ) + η mean(w) − η</c>, <c>η = −Cov(w ℓ, w) / Var(w)</c>. The score is <c>−R</c>.
/// </summary>
/// <remarks>
/// <para>
/// The domain classifier is a logistic regression on the standardised features of the source training samples
/// (label source) and the target samples (label target), trained full-batch with Adam (learning rate 0.01, 300
/// iterations) for each L2 weight decay of {10⁻⁴, 10⁻³, 10⁻²}, keeping the one with the best accuracy on a seeded 20%
/// hold-out — where the authors and pytorch-adapt train an MLP with early stopping. ℓ is the model's per-sample
/// cross-entropy on the held-out source samples. Parts: "risk", "mean_weight", "domain_accuracy" (of the chosen
/// classifier on its hold-out), "eta".
/// </para>
/// </remarks>
public sealed class DevValidator : IValidator
{
    private static readonly double[] Decays = [1e-4, 1e-3, 1e-2];

    /// <summary>Creates the validator.</summary>
    /// <param name="seed">The seed of the hold-out split and of the domain classifier's initial weights.</param>
    public DevValidator(long seed = 0) => Seed = seed;

    /// <summary>The seed of the split and of the classifier.</summary>
    public long Seed { get; }

    /// <inheritdoc />
    public string Name => "dev";

    /// <summary>DEV's risk from importance weights and per-sample errors (the control-variate estimate).</summary>
    /// <param name="weights">Importance weights, one per held-out source sample.</param>
    /// <param name="errors">Per-sample losses.</param>
    /// <returns>The risk and η.</returns>
    /// <exception cref="ArgumentException">When the lengths differ or fewer than two samples are given.</exception>
    public static (double Risk, double Eta) Risk(IReadOnlyList<double> weights, IReadOnlyList<double> errors)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(errors);
        int n = weights.Count;
        if (n != errors.Count || n < 2) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"DEV needs one weight per error and at least two samples, but got {weights.Count} and {errors.Count}."));
        double[] weighted = [.. weights.Select((w, i) => w * errors[i])];
        double meanW = weights.Average(), meanWl = weighted.Average();
        double cov = 0, var = 0;
        for (int i = 0; i < n; i++)
        {
            cov += (weighted[i] - meanWl) * (weights[i] - meanW);
            var += (weights[i] - meanW) * (weights[i] - meanW);
        }

        cov /= n - 1;
        var /= n - 1;
        double eta = var > 0 ? -cov / var : 0;
        return (meanWl + (eta * meanW) - eta, eta);
    }

    /// <inheritdoc />
    public ValidationScore Score(ValidationData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ModelOutputs train = data.SourceTrainOutputs, validation = data.SourceValidationOutputs, target = data.TargetOutputs;
        using var scope = NewDisposeScope();
        Tensor all = cat([train.Features, target.Features], 0);
        Tensor mean = all.mean([0], keepdim: true), std = all.std([0], keepdim: true).clamp_min(1e-8);
        Tensor x = all.sub(mean).div(std);
        Tensor y = cat([ones(train.Count, ScalarType.Float64), zeros(target.Count, ScalarType.Float64)], 0); // 1 = source
        using var generator = new Generator((ulong)Seed, CPU);
        Tensor order = randperm(x.shape[0], generator: generator);
        long holdOut = Math.Max(1, x.shape[0] / 5);
        Tensor testIndex = order.narrow(0, 0, holdOut), trainIndex = order.narrow(0, holdOut, x.shape[0] - holdOut);
        Tensor xTrain = x.index_select(0, trainIndex), yTrain = y.index_select(0, trainIndex);
        Tensor xTest = x.index_select(0, testIndex), yTest = y.index_select(0, testIndex);

        (Tensor W, Tensor b, double accuracy)? best = null;
        foreach (double decay in Decays)
        {
            cancellationToken.ThrowIfCancellationRequested();
            (Tensor w, Tensor bias) = Fit(xTrain, yTrain, decay, generator);
            double acc = xTest.matmul(w).add(bias).gt(0).to_type(ScalarType.Float64).eq(yTest).to_type(ScalarType.Float64).mean().ToDouble();
            if (best is null || acc > best.Value.accuracy) best = (w, bias, acc);
        }

        // w(x) = p(target | x) / p(source | x) · N_s / N_t = exp(−logit) · N_s / N_t.
        Tensor logit = validation.Features.sub(mean).div(std).matmul(best!.Value.W).add(best.Value.b);
        double ratio = (double)train.Count / target.Count;
        double[] weights = [.. logit.neg().exp().mul(ratio).data<double>()];
        double[] errors = [.. F.cross_entropy(validation.Logits, validation.Labels!, reduction: nn.Reduction.None).data<double>()];
        (double risk, double eta) = Risk(weights, errors);
        return new ValidationScore(Name, -risk, [new("risk", risk), new("mean_weight", weights.Average()), new("domain_accuracy", best.Value.accuracy), new("eta", eta)]);
    }

    private static (Tensor W, Tensor B) Fit(Tensor x, Tensor y, double decay, Generator generator)
    {
        var w = new TorchSharp.Modules.Parameter(randn([x.shape[1]], ScalarType.Float64, generator: generator).mul(0.01), true);
        var b = new TorchSharp.Modules.Parameter(zeros(1, ScalarType.Float64), true);
        using var optimizer = optim.Adam([w, b], 0.01, weight_decay: decay);
        for (int i = 0; i < 300; i++)
        {
            using var step = NewDisposeScope();
            optimizer.zero_grad();
            Tensor loss = F.binary_cross_entropy_with_logits(x.matmul(w).add(b), y);
            loss.backward();
            optimizer.step();
        }

        return (w.detach().clone(), b.detach().clone());
    }
}
