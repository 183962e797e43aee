namespace DomainAdaptation.Training;

/// <summary>Which per-channel normalisation the trainer applies to each batch (after uint8 → x / 255).</summary>
public enum NormalisationKind
{
    /// <summary>No normalisation: uint8 samples are only scaled to [0, 1]; float samples pass unchanged.</summary>
    None,

    /// <summary>Subtract the per-channel mean pooled over both domains (the reference TensorFlow code's choice).</summary>
    MeanOverBothDomains,

    /// <summary>Subtract the pooled per-channel mean and divide by the pooled per-channel std.</summary>
    MeanStdOverBothDomains,

    /// <summary>Use <see cref="InputOptions.Mean"/> and <see cref="InputOptions.Std"/>.</summary>
    Explicit,

    /// <summary>
    /// ImageNet's RGB statistics (<see cref="Data.Batching.ChannelNormalisation.ImageNet"/>: mean 0.485, 0.456, 0.406;
    /// std 0.229, 0.224, 0.225), which torchvision's pretrained weights expect.
    /// </summary>
    ImageNet,
}
