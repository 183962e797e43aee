using System.Globalization;

namespace DomainAdaptation.Data;

/// <summary>
/// The shape of one sample without the batch dimension: <c>(C, H, W)</c> for images, <c>(F)</c> for feature vectors.
/// Compared by value.
/// </summary>
public sealed class SampleShape : IEquatable<SampleShape>
{
    private readonly long[] _dimensions;

    /// <summary>Creates a shape from its sizes.</summary>
    /// <param name="dimensions">One or more positive sizes.</param>
    /// <exception cref="ArgumentException">When no size is given or a size is not positive.</exception>
    public SampleShape(params long[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Length == 0 || dimensions.Any(d => d <= 0))
        {
            throw new ArgumentException($"A sample shape needs one or more positive sizes, but was ({string.Join(", ", dimensions)}).", nameof(dimensions));
        }

        _dimensions = (long[])dimensions.Clone();
    }

    /// <summary>An image shape <c>(channels, height, width)</c>.</summary>
    /// <param name="channels">Channels (1 grey, 3 RGB).</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="width">Width in pixels.</param>
    /// <returns>The shape.</returns>
    public static SampleShape Image(int channels, int height, int width) => new(channels, height, width);

    /// <summary>A feature-vector shape <c>(features)</c>.</summary>
    /// <param name="features">The vector length.</param>
    /// <returns>The shape.</returns>
    public static SampleShape Vector(int features) => new(features);

    /// <summary>The sizes, outermost first.</summary>
    public IReadOnlyList<long> Dimensions => _dimensions;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _dimensions.Length;

    /// <summary>True for a three-dimensional <c>(C, H, W)</c> image shape.</summary>
    public bool IsImage => _dimensions.Length == 3;

    /// <summary>Channels of an image shape.</summary>
    /// <exception cref="InvalidOperationException">When this is not an image shape.</exception>
    public int Channels => (int)ImageDim(0);

    /// <summary>Height of an image shape.</summary>
    /// <exception cref="InvalidOperationException">When this is not an image shape.</exception>
    public int Height => (int)ImageDim(1);

    /// <summary>Width of an image shape.</summary>
    /// <exception cref="InvalidOperationException">When this is not an image shape.</exception>
    public int Width => (int)ImageDim(2);

    /// <summary>The number of values in one sample.</summary>
    public long Elements => _dimensions.Aggregate(1L, (a, b) => a * b);

    /// <summary>The shape with a leading batch dimension.</summary>
    /// <param name="batch">The batch size.</param>
    /// <returns><c>[batch, ...dimensions]</c>.</returns>
    public long[] WithBatch(long batch) => _dimensions.Prepend(batch).ToArray();

    /// <inheritdoc />
    public bool Equals(SampleShape? other) => other is not null && _dimensions.AsSpan().SequenceEqual(other._dimensions);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SampleShape);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (long d in _dimensions) hash.Add(d);
        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => string.Join("×", _dimensions.Select(d => d.ToString(CultureInfo.InvariantCulture)));

    private long ImageDim(int i) => IsImage
        ? _dimensions[i]
        : throw new InvalidOperationException($"The sample shape ({this}) is not an image shape (C, H, W).");
}
