using static TorchSharp.torch;

namespace DomainAdaptation.Data.Transforms;

/// <summary>Repeats a single grey channel into R, G and B: <c>[N, 1, H, W] → [N, 3, H, W]</c>.</summary>
public sealed class GreyToRgb : ImageTransform
{
    /// <inheritdoc />
    public override SampleShape OutputShape(SampleShape input)
    {
        RequireImage(input, nameof(GreyToRgb));
        if (input.Channels != 1) throw new ArgumentException($"GreyToRgb needs one channel, but the samples have {input.Channels} ({input}).", nameof(input));
        return SampleShape.Image(3, input.Height, input.Width);
    }

    /// <inheritdoc />
    protected override Tensor Transform(Tensor images, SampleShape output) => images.expand(-1, 3, -1, -1).contiguous();

    /// <inheritdoc />
    public override string ToString() => "GreyToRgb";
}
