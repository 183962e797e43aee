namespace DomainAdaptation.Models;

/// <summary>The three exchangeable parts of a <see cref="DannModel"/>.</summary>
public enum DannModelPart
{
    /// <summary>The feature extractor <c>G_f</c>: input → features <c>[B, F]</c>.</summary>
    FeatureExtractor,

    /// <summary>The label classifier <c>G_y</c>: features → class logits <c>[B, K]</c>.</summary>
    LabelClassifier,

    /// <summary>The domain classifier <c>G_d</c>: features (through gradient reversal) → domain logits <c>[B, 1]</c> or <c>[B, 2]</c>.</summary>
    DomainClassifier,
}
