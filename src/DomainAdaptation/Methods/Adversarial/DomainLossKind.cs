namespace DomainAdaptation.Methods.Adversarial;

/// <summary>How the domain classifier's output is scored; source is domain 0, target is domain 1.</summary>
public enum DomainLossKind
{
    /// <summary>Binary cross-entropy with logits on a single domain logit <c>[B, 1]</c>.</summary>
    BinaryCrossEntropyWithLogits,

    /// <summary>Two-class cross-entropy on two domain logits <c>[B, 2]</c>.</summary>
    CrossEntropy,
}
