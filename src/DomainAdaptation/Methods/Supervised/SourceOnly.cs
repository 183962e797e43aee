using System.Text.Json.Nodes;

namespace DomainAdaptation.Methods.Supervised;

/// <summary>
/// Source-only training, the lower bound of every adaptation table: <c>L = CE(G_y(G_f(x_s)), y_s)</c> on the labelled
/// source half; the target half is not used (only the source half passes through the model). Ganin &amp; Lempitsky
/// (2015), Table 1, "Source only".
/// </summary>
public sealed class SourceOnly : LossMethod
{
    /// <inheritdoc />
    public override string Name => "source-only";

    /// <inheritdoc />
    public override JsonObject Settings => [];

    /// <inheritdoc />
    public override ForwardNeeds Needs => ForwardNeeds.Source;

    /// <inheritdoc />
    public override string Describe() => "source only (cross-entropy on the labelled source half)";

    /// <inheritdoc />
    protected internal override void AddAdaptationTerms(StepForward forward, StepContext context, LossTermsBuilder terms)
    {
    }
}
