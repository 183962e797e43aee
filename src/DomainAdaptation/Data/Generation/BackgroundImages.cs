using DomainAdaptation.Data.Formats;

namespace DomainAdaptation.Data.Generation;

/// <summary>
/// The decoded background photographs MNIST-M blends its digits into (BSDS500's 200 train images for the authors'
/// recipe): loaded by <see cref="Bsds500Images"/>, passed to <see cref="MnistMGenerator"/>. The pixels stay inside the
/// library; this type says how many images there are and what they are called.
/// </summary>
public sealed class BackgroundImages
{
    internal BackgroundImages(IReadOnlyList<DecodedImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        Images = images;
        Names = images.Select((image, i) => image.Name ?? $"#{i}").ToArray();
    }

    /// <summary>How many images there are.</summary>
    public int Count => Images.Count;

    /// <summary>Each image's name (its file name), in the order placements index them.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The decoded RGB images.</summary>
    internal IReadOnlyList<DecodedImage> Images { get; }
}
