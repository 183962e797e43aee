namespace DomainAdaptation.Models;

/// <summary>The exchangeable parts an <see cref="AdaptationModelBuilder"/> composes.</summary>
public enum ModelPart
{
    /// <summary>The feature extractor (backbone) <c>G_f</c>: input → features <c>[B, F₀]</c>.</summary>
    FeatureExtractor,

    /// <summary>The optional bottleneck: backbone features <c>[B, F₀]</c> → features <c>[B, F]</c>.</summary>
    Bottleneck,

    /// <summary>The label classifier <c>G_y</c>: features → class logits <c>[B, K]</c>.</summary>
    LabelClassifier,

    /// <summary>
    /// The domain classifier <c>G_d</c> a builder may carry for adversarial methods (DANN): features → domain logits
    /// <c>[B, 1]</c> or <c>[B, 2]</c>. It is not part of the built <see cref="AdaptationModel"/>.
    /// </summary>
    DomainClassifier,
}
