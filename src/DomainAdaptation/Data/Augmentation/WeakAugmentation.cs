namespace DomainAdaptation.Data.Augmentation;

/// <summary>Settings of <see cref="BatchAugmentation.Weak"/>.</summary>
public sealed record WeakAugmentation
{
    /// <summary>The largest translation, as a fraction of the image size (FixMatch: 0.125).</summary>
    public double MaxShift { get; init; } = 0.125;

    /// <summary>Whether to flip half of the images horizontally (FixMatch on natural images: yes; digits: no). Default false.</summary>
    public bool HorizontalFlip { get; init; }
}
