using static TorchSharp.torch;

namespace DomainAdaptation.Data.Transforms;

/// <summary>
/// Binarises uint8 images: every value above <see cref="Threshold"/> becomes 255, every other 0 (shape unchanged).
/// </summary>
/// <remarks>
/// MNIST-M's digits are MNIST digits binarised at <c>x &gt; 0</c> before blending (the paper's recipe). The authors'
/// reference TensorFlow code feeds MNIST binarised the same way as the source domain, so that the two domains differ by
/// the blended backgrounds only, not by the digits' grey levels.
/// </remarks>
public sealed class Binarize : ImageTransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="threshold">Values strictly above it become 255; in [0, 254].</param>
    /// <exception cref="ArgumentOutOfRangeException">When the threshold is outside [0, 254].</exception>
    public Binarize(int threshold = 0)
    {
        if (threshold is < 0 or > 254) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must lie in [0, 254].");
        Threshold = threshold;
    }

    /// <summary>Values strictly above this become 255.</summary>
    public int Threshold { get; }

    /// <inheritdoc />
    public override SampleShape OutputShape(SampleShape input)
    {
        RequireImage(input, nameof(Binarize));
        return input;
    }

    /// <inheritdoc />
    protected override Tensor Transform(Tensor images, SampleShape output) => images.gt(Threshold).to_type(ScalarType.Byte).mul_(255);

    /// <inheritdoc />
    public override string ToString() => $"Binarize(x > {Threshold})";
}
