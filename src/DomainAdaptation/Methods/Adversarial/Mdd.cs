using System.Globalization;
using System.Text.Json.Nodes;
using DomainAdaptation.Models;
using DomainAdaptation.Schedules;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Methods.Adversarial;

/// <summary>
/// Margin disparity discrepancy, MDD (Zhang et al., ICML 2019, "Bridging Theory and Algorithm for Domain Adaptation"): an
/// adversarial classifier f′ reads the features through a gradient reversal layer and is trained to agree with the main
/// classifier f on the source and to disagree with it on the target; the features are trained against it.
/// </summary>
/// <remarks>
/// <para>
/// With ŷ = argmax f(·) (no gradient) and p′ = softmax(f′(R_λ(·))):
/// <c>L = CE(f(h_s), y_s) + w · [γ · CE(f′(h_s), ŷ_s) + mean_t(−log(1 − p′_t[ŷ_t]))]</c>. Minimising the bracket trains
/// f′ to raise the margin disparity; the reversal makes the features lower it. The margin γ (4, the paper's and
/// Transfer-Learning-Library's default) weights the source side. <c>log(1 − p′[ŷ])</c> is computed exactly as
/// <c>logsumexp_{k≠ŷ} z′_k − logsumexp_k z′_k</c> (tllib clamps <c>1 − p′ + 10⁻⁶</c> instead).
/// </para>
/// <para>
/// Defaults from tllib (<c>tllib/alignment/mdd.py</c>, <c>examples/.../mdd.py</c>): λ rises to 0.1,
/// <c>λ_p = 0.1 · (2/(1+exp(−10p)) − 1)</c> (tllib's <c>WarmStartGradientReverseLayer(hi=0.1)</c> in progress terms); w = 1;
/// f′ is F → 1024 → ReLU → Dropout(0.5) → K, created from the run's seed (<c>method.adversarial_classifier.*</c>).
/// Reported: "mdd" and "lambda", and "disparity", the share of target samples on which f′ disagrees with f.
/// </para>
/// </remarks>
public sealed class Mdd : LossMethod
{
    private nn.Module<Tensor, Tensor>? _adversary;

    /// <summary>Creates the method.</summary>
    /// <param name="margin">The margin γ; finite, &gt; 0.</param>
    /// <param name="weight">The weight w of the MDD term; finite, ≥ 0.</param>
    /// <param name="lambdaSchedule">λ as a function of progress; null for 0.1 · the paper's sigmoid.</param>
    /// <param name="adversaryWidth">The adversarial classifier's hidden width.</param>
    public Mdd(double margin = 4.0, double weight = 1.0, ILambdaSchedule? lambdaSchedule = null, int adversaryWidth = 1024)
    {
        Margin = Positive(margin, nameof(margin));
        Weight = NonNegative(weight, nameof(weight));
        LambdaSchedule = lambdaSchedule ?? new WarmStartLambdaSchedule(0.0, 0.1, 10.0);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(adversaryWidth);
        AdversaryWidth = adversaryWidth;
    }

    /// <inheritdoc />
    public override string Name => "mdd";

    /// <summary>The margin γ.</summary>
    public double Margin { get; }

    /// <summary>The weight w of the MDD term.</summary>
    public double Weight { get; }

    /// <summary>λ as a function of progress.</summary>
    public ILambdaSchedule LambdaSchedule { get; }

    /// <summary>The adversarial classifier's hidden width.</summary>
    public int AdversaryWidth { get; }

    /// <inheritdoc />
    public override JsonObject Settings => new() { ["Margin"] = Margin, ["Weight"] = Weight, ["LambdaSchedule"] = LambdaSchedule.ToString(), ["AdversaryWidth"] = AdversaryWidth };

    /// <inheritdoc />
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"MDD (γ = {Margin}, λ: {LambdaSchedule}, weight {Weight})");

    /// <summary>
    /// The MDD term <c>γ · CE(z′_s, ŷ_s) + mean_t(−log(1 − softmax(z′_t)[ŷ_t]))</c> from the main classifier's logits (their
    /// arg-max, no gradient) and the adversarial classifier's.
    /// </summary>
    /// <param name="sourceLogits">f's source logits <c>[B_s, K]</c>.</param>
    /// <param name="sourceAdversarial">f′'s source logits <c>[B_s, K]</c>.</param>
    /// <param name="targetLogits">f's target logits <c>[B_t, K]</c>.</param>
    /// <param name="targetAdversarial">f′'s target logits <c>[B_t, K]</c>.</param>
    /// <param name="margin">γ.</param>
    /// <returns>A scalar ≥ 0.</returns>
    public static Tensor Loss(Tensor sourceLogits, Tensor sourceAdversarial, Tensor targetLogits, Tensor targetAdversarial, double margin = 4.0)
    {
        ArgumentNullException.ThrowIfNull(sourceLogits);
        ArgumentNullException.ThrowIfNull(sourceAdversarial);
        ArgumentNullException.ThrowIfNull(targetLogits);
        ArgumentNullException.ThrowIfNull(targetAdversarial);
        Tensor ys = sourceLogits.detach().argmax(1);
        Tensor yt = targetLogits.detach().argmax(1);
        Tensor source = F.cross_entropy(sourceAdversarial, ys);
        return source.mul(margin) + LogOneMinusProbability(targetAdversarial, yt).neg().mean();
    }

    /// <summary><c>log(1 − softmax(z)[y])</c> per row, exactly: <c>logsumexp_{k≠y} z_k − logsumexp_k z_k</c>.</summary>
    /// <param name="logits">Logits <c>[B, K]</c>, K ≥ 2.</param>
    /// <param name="labels">int64 classes <c>[B]</c>.</param>
    /// <returns><c>[B]</c>, ≤ 0.</returns>
    public static Tensor LogOneMinusProbability(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        Tensor mask = F.one_hot(labels, logits.shape[1]).to_type(ScalarType.Bool);
        Tensor others = logits.masked_fill(mask, double.NegativeInfinity);
        return others.logsumexp(1) - logits.logsumexp(1);
    }

    /// <inheritdoc />
    protected override void OnInitialize(MethodSetup setup)
    {
        _adversary = Place(SeededInitialization.Run(setup.Seed, () => (nn.Module<Tensor, Tensor>)Heads.Mlp(setup.Features, [AdversaryWidth], setup.Classes, dropout: 0.5)), setup);
        AddModule("adversarial_classifier", _adversary);
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(terms);
        nn.Module<Tensor, Tensor> adversary = _adversary ?? throw new InvalidOperationException("MDD is not initialised: call Initialize first (the trainer does).");
        double lambda = LambdaSchedule.ValueAt(context.Progress);
        Tensor adversarial = StepForward.ToLossPrecision(forward.ApplyHead(f => adversary.call(f.ReverseGradient(lambda))));
        long b = forward.SourceCount;
        Tensor sourceAdversarial = adversarial.narrow(0, 0, b);
        Tensor targetAdversarial = adversarial.narrow(0, b, forward.TargetCount);
        terms.Add("mdd", Loss(forward.SourceLogits, sourceAdversarial, forward.TargetLogits, targetAdversarial, Margin), Weight);
        terms.Metric("disparity", targetAdversarial.argmax(1).ne(forward.TargetLogits.argmax(1)).to_type(ScalarType.Float64).mean());
        terms.Schedule("lambda", lambda);
    }
}
