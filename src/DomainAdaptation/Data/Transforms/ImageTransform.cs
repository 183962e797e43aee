using static TorchSharp.torch;

namespace DomainAdaptation.Data.Transforms;

/// <summary>The common part of image transforms: input checks and label copying.</summary>
public abstract class ImageTransform : ISampleTransform
{
    /// <inheritdoc />
    public abstract SampleShape OutputShape(SampleShape input);

    /// <inheritdoc />
    public SampleSet Apply(SampleSet input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.StorageType != ScalarType.Byte || !input.Shape.IsImage)
        {
            throw new ArgumentException($"{GetType().Name} applies to uint8 image sets [N, C, H, W], but '{input.Name}' holds {input.StorageType} samples of shape ({input.Shape}).", nameof(input));
        }

        SampleShape output = OutputShape(input.Shape);
        Tensor samples = Transform(input.Samples, output);
        Tensor? labels = null;
        try
        {
            labels = input.Labels?.clone();
            return new SampleSet(input.Name, samples, labels, input.ClassCount);
        }
        catch
        {
            samples.Dispose();
            labels?.Dispose();
            throw;
        }
    }

    /// <summary>Transforms uint8 images <c>[N, C, H, W]</c> into a new uint8 tensor of the output shape.</summary>
    /// <param name="images">The input images (not to be modified or disposed).</param>
    /// <param name="output">The output sample shape from <see cref="OutputShape"/>.</param>
    /// <returns>A new contiguous uint8 tensor <c>[N, ...output]</c> on the CPU.</returns>
    protected abstract Tensor Transform(Tensor images, SampleShape output);

    /// <summary>Throws unless the shape is an image shape.</summary>
    /// <param name="input">The shape.</param>
    /// <param name="transform">The transform's name for the message.</param>
    protected static void RequireImage(SampleShape input, string transform)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!input.IsImage) throw new ArgumentException($"{transform} applies to image shapes (C, H, W), not ({input}).", nameof(input));
    }
}
