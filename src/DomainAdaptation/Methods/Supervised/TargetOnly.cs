using System.Text.Json.Nodes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DomainAdaptation.Methods.Supervised;

/// <summary>
/// Target-only training, the upper bound ("train on target", Ganin &amp; Lempitsky 2015, Table 1):
/// <c>L = CE(G_y(G_f(x_t)), y_t)</c> with the target labels, which adaptation never has. For reports only; it needs
/// <see cref="Data.IDomainDataset.TargetLabelsForEvaluation"/>.
/// </summary>
public sealed class TargetOnly : LossMethod
{
    /// <inheritdoc />
    public override string Name => "target-only";

    /// <inheritdoc />
    public override JsonObject Settings => [];

    /// <inheritdoc />
    public override ForwardNeeds Needs => ForwardNeeds.Target;

    /// <inheritdoc />
    public override bool UsesTargetLabels => true;

    /// <inheritdoc />
    public override string Describe() => "target only (cross-entropy on the target half with its labels: the upper bound)";

    /// <summary>Adds "label", the cross-entropy on the target half with the target labels, and "target_accuracy".</summary>
    /// <param name="forward">The shared forward pass.</param>
    /// <param name="terms">Where the term goes.</param>
    protected internal override void AddSupervisedTerm(StepForward forward, LossTermsBuilder terms)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(terms);
        Tensor labels = forward.Batch.TargetLabels ?? throw new InvalidOperationException("Target-only training needs target labels in the batch (DomainBatch.TargetLabels), but it had none.");
        Tensor logits = forward.TargetLogits;
        terms.Add("label", F.cross_entropy(logits, labels));
        terms.Metric("target_accuracy", Accuracy(logits, labels));
    }

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
    }
}
