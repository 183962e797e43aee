using System.Globalization;

namespace DomainAdaptation.Data;

/// <summary>The shape of one image sample: channels, height and width.</summary>
/// <param name="Channels">Number of channels (1 for grey, 3 for RGB).</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Width">Width in pixels.</param>
public readonly record struct SampleShape(int Channels, int Height, int Width)
{
    /// <summary>The number of values in one sample.</summary>
    public long Elements => (long)Channels * Height * Width;

    /// <summary>The shape with a leading batch dimension, <c>[batch, C, H, W]</c>.</summary>
    /// <param name="batch">The batch size.</param>
    /// <returns>The four sizes.</returns>
    public long[] WithBatch(long batch) => new[] { batch, Channels, Height, Width };

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Channels}×{Height}×{Width}");
}
