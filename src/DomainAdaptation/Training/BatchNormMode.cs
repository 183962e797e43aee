namespace DomainAdaptation.Training;

/// <summary>How source and target halves pass through the network, which matters for batch normalisation statistics.</summary>
public enum BatchNormMode
{
    /// <summary>Source and target are concatenated into one forward pass: batch statistics mix both domains.</summary>
    Joint,

    /// <summary>Two forward passes, one per domain: batch statistics are per domain (running statistics see both).</summary>
    Separate,
}
