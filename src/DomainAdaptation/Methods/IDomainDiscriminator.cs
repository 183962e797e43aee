using static TorchSharp.torch;

namespace DomainAdaptation.Methods;

/// <summary>
/// A method with a domain classifier (DANN, CDAN): evaluation reports how well it tells the domains apart on held-out
/// data (0.5 balanced accuracy is the features' goal), without training it.
/// </summary>
public interface IDomainDiscriminator
{
    /// <summary>The domain classifier's logits for a batch, <c>[B, 1]</c> (source &lt; 0 &lt; target) or <c>[B, 2]</c>.</summary>
    /// <param name="features">The model's features <c>[B, F]</c>.</param>
    /// <param name="classLogits">The model's class logits <c>[B, K]</c> (CDAN conditions on them).</param>
    /// <returns>The domain logits.</returns>
    Tensor DomainLogits(Tensor features, Tensor classLogits);

    /// <summary>Whether there is a domain classifier to ask (a composite of methods without one has none). Default true.</summary>
    bool HasDomainClassifier => true;
}
