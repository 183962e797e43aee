using DomainAdaptation.Data;

namespace DomainAdaptation.Models;

/// <summary>
/// The sizes a <see cref="DannModel"/> was found to have when a dummy batch of the declared input shape ran through it
/// (see <see cref="DannModelInspector.Inspect"/>).
/// </summary>
/// <param name="Input">The per-sample input shape, without the batch dimension.</param>
/// <param name="Features">F: the feature extractor's output is <c>[B, F]</c>.</param>
/// <param name="Classes">K ≥ 2: the label classifier's output is <c>[B, K]</c>.</param>
/// <param name="DomainOutputs">1 (one logit, for binary cross-entropy with logits) or 2 (two classes, for cross-entropy).</param>
public sealed record DannModelShape(SampleShape Input, long Features, long Classes, long DomainOutputs)
{
    /// <summary>True when the domain classifier gives one logit per sample (binary cross-entropy with logits).</summary>
    public bool HasSingleDomainLogit => DomainOutputs == 1;
}
