namespace DomainAdaptation.Data.Augmentation;

/// <summary>Settings of <see cref="BatchAugmentation.Strong"/> (magnitudes in the spirit of RandAugment's ranges).</summary>
public sealed record StrongAugmentation
{
    /// <summary>The probability with which each op (rotation, shear, brightness, contrast, channel shuffle, noise) is applied to an image; grey and inversion use half of it. Default 0.5.</summary>
    public double Probability { get; init; } = 0.5;

    /// <summary>The largest rotation in degrees. Default 30.</summary>
    public double MaxRotationDegrees { get; init; } = 30;

    /// <summary>The largest shear (tan of the angle). Default 0.3.</summary>
    public double MaxShear { get; init; } = 0.3;

    /// <summary>The largest relative change of scale. Default 0.2.</summary>
    public double MaxScaleChange { get; init; } = 0.2;

    /// <summary>The largest translation, as a fraction of the image size. Default 0.125.</summary>
    public double MaxShift { get; init; } = 0.125;

    /// <summary>The largest brightness shift, in per-image standard deviations. Default 0.5.</summary>
    public double MaxBrightness { get; init; } = 0.5;

    /// <summary>The largest relative change of contrast. Default 0.5.</summary>
    public double MaxContrastChange { get; init; } = 0.5;

    /// <summary>The standard deviation of added noise, in per-image standard deviations. Default 0.1.</summary>
    public double NoiseLevel { get; init; } = 0.1;

    /// <summary>The side of the cutout square as a fraction of the smaller image side (FixMatch: up to 0.5); 0 for none. Default 0.5.</summary>
    public double CutoutFraction { get; init; } = 0.5;
}
