using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data;

/// <summary>
/// Images held in memory as a uint8 tensor <c>[N, C, H, W]</c> on the CPU, with optional int64 labels <c>[N]</c>.
/// Conversion to float, normalisation and the move to a device happen per batch, never for the whole set.
/// </summary>
public sealed class ImageSet : IDisposable
{
    /// <summary>Creates an image set and takes ownership of the tensors.</summary>
    /// <param name="name">A name for messages, e.g. "MNIST-M train".</param>
    /// <param name="images">uint8 images <c>[N, C, H, W]</c> on the CPU.</param>
    /// <param name="labels">int64 labels <c>[N]</c>, or null for an unlabelled set.</param>
    /// <param name="classCount">The number of classes (labels lie in <c>[0, classCount)</c>); 0 when unlabelled and unknown.</param>
    /// <exception cref="ArgumentException">When the tensors have the wrong dtype, rank, device or disagreeing counts.</exception>
    public ImageSet(string name, Tensor images, Tensor? labels, int classCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(images);
        if (images.dtype != ScalarType.Byte || images.dim() != 4)
        {
            throw new ArgumentException($"{name}: images must be a uint8 tensor [N, C, H, W], but were {images.dtype} with shape [{string.Join(", ", images.shape)}].", nameof(images));
        }

        if (images.device_type != DeviceType.CPU)
        {
            throw new ArgumentException($"{name}: images must be stored on the CPU (batches move to the device), but were on {images.device}.", nameof(images));
        }

        if (labels is not null)
        {
            if (labels.dtype != ScalarType.Int64 || labels.dim() != 1 || labels.shape[0] != images.shape[0])
            {
                throw new ArgumentException($"{name}: labels must be an int64 tensor [{images.shape[0]}] (one per image), but were {labels.dtype} with shape [{string.Join(", ", labels.shape)}].", nameof(labels));
            }
        }

        if (classCount < 0) throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"{name}: the class count cannot be negative.");

        Name = name;
        Images = images;
        Labels = labels;
        ClassCount = classCount;
        Shape = new SampleShape((int)images.shape[1], (int)images.shape[2], (int)images.shape[3]);
    }

    /// <summary>A name for messages.</summary>
    public string Name { get; }

    /// <summary>uint8 images <c>[N, C, H, W]</c> on the CPU.</summary>
    public Tensor Images { get; }

    /// <summary>int64 labels <c>[N]</c>, or null.</summary>
    public Tensor? Labels { get; }

    /// <summary>The number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>The number of images.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>The shape of one image.</summary>
    public SampleShape Shape { get; }

    /// <summary>Returns a copy of this set without labels (for a target domain in training).</summary>
    /// <param name="name">The new set's name, or null to keep this one.</param>
    /// <returns>A new set sharing no tensors with this one.</returns>
    public ImageSet WithoutLabels(string? name = null) => new(name ?? Name, Images.clone(), null, ClassCount);

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels?.Dispose();
    }
}
