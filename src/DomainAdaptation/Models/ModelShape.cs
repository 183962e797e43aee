using DomainAdaptation.Data;

namespace DomainAdaptation.Models;

/// <summary>
/// The sizes an <see cref="AdaptationModel"/> was found to have when a dummy batch of the declared input shape ran
/// through it (see <see cref="ModelInspector.Inspect"/>).
/// </summary>
/// <param name="Input">The per-sample input shape, without the batch dimension.</param>
/// <param name="BackboneFeatures">F₀: the feature extractor's output is <c>[B, F₀]</c>.</param>
/// <param name="Features">F: the features the heads see, <c>[B, F]</c> (F = F₀ without a bottleneck).</param>
/// <param name="Classes">K ≥ 2: the label classifier's output is <c>[B, K]</c>.</param>
/// <param name="DomainOutputs">The domain classifier's outputs (1 or 2) when one was checked, else null.</param>
public sealed record ModelShape(SampleShape Input, long BackboneFeatures, long Features, long Classes, long? DomainOutputs = null)
{
    /// <summary>True when a domain classifier was checked and gives one logit per sample (binary cross-entropy with logits).</summary>
    public bool HasSingleDomainLogit => DomainOutputs == 1;
}
