using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Methods;

/// <summary>
/// A method whose step is "losses, then one backward pass and one optimizer step": the supervised cross-entropy on the
/// labelled source half plus the method's own weighted terms (<see cref="AddAdaptationTerms"/>), all read from one
/// shared forward pass. DANN, CDAN, DAN, JAN, CORAL, MCC, BNM, entropy minimisation, MDD, AFN, FixMatch and mean teacher
/// are loss methods; so is any <see cref="CompositeMethod"/> of them.
/// </summary>
public abstract class LossMethod : AdaptationMethod
{
    /// <summary>
    /// The step's losses on a shared forward pass: the supervised term ("label": cross-entropy on the labelled half,
    /// with the "source_accuracy" metric) followed by the method's own terms.
    /// </summary>
    /// <param name="forward">The shared forward pass.</param>
    /// <param name="context">The step.</param>
    /// <returns>The terms, metrics and schedule values.</returns>
    public LossTerms Losses(StepForward forward, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(context);
        var builder = new LossTermsBuilder();
        AddInputs(forward, context);
        AddTerms(forward, context, builder);
        return builder.Build();
    }

    /// <inheritdoc />
    public sealed override LossTerms Update(StepUpdater updater, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(updater);
        LossTerms terms = Losses(updater.Forward(Needs), context);
        updater.Minimize(terms);
        return terms;
    }

    /// <summary>
    /// Adds the method's extra inputs to the shared pass before it runs, e.g. augmented views of the target images
    /// (<see cref="StepForward.AddTargetViews"/>); called once per step, before <see cref="AddAdaptationTerms"/>. None by default.
    /// </summary>
    /// <param name="forward">The shared forward pass, not yet run.</param>
    /// <param name="context">The step.</param>
    protected internal virtual void AddInputs(StepForward forward, StepContext context)
    {
    }

    /// <summary>Adds the supervised term and then the method's own terms. <see cref="CompositeMethod"/> overrides it.</summary>
    /// <param name="forward">The shared forward pass.</param>
    /// <param name="context">The step.</param>
    /// <param name="terms">Where the terms go.</param>
    internal virtual void AddTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
        AddSupervisedTerm(forward, terms);
        AddAdaptationTerms(forward, context, terms);
    }

    /// <summary>
    /// Adds the supervised term: "label", the cross-entropy of the source logits against the source labels, and the
    /// "source_accuracy" metric. <see cref="Supervised.TargetOnly"/> overrides it with the target half.
    /// </summary>
    /// <param name="forward">The shared forward pass.</param>
    /// <param name="terms">Where the term goes.</param>
    protected internal virtual void AddSupervisedTerm(StepForward forward, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(terms);
        Tensor logits = forward.SourceLogits;
        terms.Add("label", F.cross_entropy(logits, forward.Batch.SourceLabels));
        terms.Metric("source_accuracy", Accuracy(logits, forward.Batch.SourceLabels));
    }

    /// <summary>Adds the method's own terms, metrics and schedule values (none for source-only training).</summary>
    /// <param name="forward">The shared forward pass.</param>
    /// <param name="context">The step; read every schedule from its progress.</param>
    /// <param name="terms">Where the terms go.</param>
    protected internal abstract void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms);
}
