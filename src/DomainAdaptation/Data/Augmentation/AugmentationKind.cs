namespace DomainAdaptation.Data.Augmentation;

/// <summary>Which view of <see cref="BatchAugmentation"/> to apply.</summary>
public enum AugmentationKind
{
    /// <summary>No augmentation: the samples as converted.</summary>
    None,

    /// <summary><see cref="BatchAugmentation.Weak"/>: a random shift (and a flip when enabled).</summary>
    Weak,

    /// <summary><see cref="BatchAugmentation.Strong"/>: an affine warp, colour ops and cutout.</summary>
    Strong,

    /// <summary><see cref="BatchAugmentation.ResizedCrop"/>: torchvision's random resized crop, horizontal flip and optional colour jitter (natural images, pretrained backbones).</summary>
    ResizedCrop,
}
