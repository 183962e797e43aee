using System.Globalization;

namespace DomainAdaptation.Data.Augmentation;

/// <summary>
/// Settings of <see cref="BatchAugmentation.ResizedCrop"/>: torchvision's <c>RandomResizedCrop</c> (defaults: scale
/// 0.08–1, aspect ratio 3/4–4/3), <c>RandomHorizontalFlip</c> and an optional <c>ColorJitter</c> — the training
/// transform of tllib and torchvision's ImageNet recipe for pretrained backbones.
/// </summary>
public sealed record ResizedCropAugmentation
{
    /// <summary>The smallest crop area, as a fraction of the image's area (torchvision: 0.08).</summary>
    public double MinScale { get; init; } = 0.08;

    /// <summary>The largest crop area, as a fraction of the image's area (torchvision: 1).</summary>
    public double MaxScale { get; init; } = 1.0;

    /// <summary>The smallest aspect ratio width / height of the crop (torchvision: 3/4); drawn log-uniformly.</summary>
    public double MinAspectRatio { get; init; } = 3.0 / 4.0;

    /// <summary>The largest aspect ratio width / height of the crop (torchvision: 4/3).</summary>
    public double MaxAspectRatio { get; init; } = 4.0 / 3.0;

    /// <summary>Whether to flip half of the images horizontally. Default true (natural images; turn it off for digits and text).</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary>Brightness jitter b: each image is shifted by δ·σ_img, δ uniform in [−b, b]. Default 0 (off).</summary>
    public double Brightness { get; init; }

    /// <summary>Contrast jitter c: each image is scaled around its channel means by a factor in [1 − c, 1 + c]. Default 0 (off).</summary>
    public double Contrast { get; init; }

    /// <summary>Saturation jitter s: each image is blended with its grey (channel mean) by a factor in [1 − s, 1 + s]. Default 0 (off).</summary>
    public double Saturation { get; init; }

    /// <summary>What is out of range, one sentence each; empty when the settings are valid.</summary>
    internal List<string> Problems()
    {
        var problems = new List<string>();
        if (!(MinScale > 0 && MinScale <= MaxScale && MaxScale <= 1)) problems.Add(string.Create(CultureInfo.InvariantCulture, $"MinScale and MaxScale must satisfy 0 < MinScale ≤ MaxScale ≤ 1, but were {MinScale} and {MaxScale}"));
        if (!(MinAspectRatio > 0 && MinAspectRatio <= MaxAspectRatio && double.IsFinite(MaxAspectRatio))) problems.Add(string.Create(CultureInfo.InvariantCulture, $"MinAspectRatio and MaxAspectRatio must satisfy 0 < MinAspectRatio ≤ MaxAspectRatio < ∞, but were {MinAspectRatio} and {MaxAspectRatio}"));
        if (!(Brightness >= 0 && double.IsFinite(Brightness)) || !(Contrast is >= 0 and <= 1) || !(Saturation is >= 0 and <= 1)) problems.Add(string.Create(CultureInfo.InvariantCulture, $"Brightness must be a finite number ≥ 0 and Contrast and Saturation in [0, 1], but were {Brightness}, {Contrast} and {Saturation}"));
        return problems;
    }
}
