using static TorchSharp.torch;

namespace DomainAdaptation.Data;

/// <summary>
/// Samples that are not held in memory but read on demand — from image files decoded on the fly
/// (<see cref="Datasets.ImageFolderOptions.Stream"/>), or from any storage a user brings (a database, an archive, a
/// network store). A <see cref="SampleSet"/> built on one behaves like an in-memory set everywhere: training batches,
/// evaluation, batch-norm calibration, validators, export; the trainer reads the batches of the next steps ahead of
/// time on a background thread (<see cref="Training.InputOptions.PrefetchSteps"/>).
/// </summary>
/// <remarks>
/// Implementations must be thread-safe (the trainer's prefetch calls <see cref="Read"/> from a background thread while
/// evaluation may call it from the training thread) and deterministic: the same indices give the same bytes every
/// time, or runs stop being repeatable and resumable bit for bit.
/// </remarks>
public interface IStreamedSamples
{
    /// <summary>A name for messages, e.g. the folder the images come from.</summary>
    string Name { get; }

    /// <summary>The number of samples.</summary>
    int Count { get; }

    /// <summary>The shape of one sample, e.g. 3×224×224.</summary>
    SampleShape Shape { get; }

    /// <summary>Reads the samples at <paramref name="indices"/> into a new uint8 tensor <c>[n, ...Shape]</c> on the CPU, in that order.</summary>
    /// <param name="indices">Indices in <c>[0, Count)</c>; repeats allowed.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>A tensor the caller owns (and disposes).</returns>
    /// <exception cref="Formats.DataFormatException">When a sample's file cannot be read or decoded; the message names the file.</exception>
    Tensor Read(ReadOnlySpan<long> indices, CancellationToken cancellationToken = default);
}
