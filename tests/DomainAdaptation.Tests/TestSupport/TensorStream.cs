using System.Collections.Concurrent;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Formats;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.TestSupport;

/// <summary>
/// An <see cref="IStreamedSamples"/> over a uint8 tensor, for tests: records every read (indices and thread), can fail
/// for one index as a damaged file would, and signals when a read includes a given index.
/// </summary>
internal sealed class TensorStream(string name, Tensor samples) : IStreamedSamples
{
    private readonly object _gate = new();

    public ConcurrentQueue<(long[] Indices, int Thread)> Reads { get; } = new();

    public long? FailingIndex { get; init; }

    public string Name { get; } = name;

    public int Count => (int)samples.shape[0];

    public SampleShape Shape { get; } = new(samples.shape.Skip(1).ToArray());

    public Tensor Read(ReadOnlySpan<long> indices, CancellationToken cancellationToken = default)
    {
        long[] chosen = indices.ToArray();
        lock (_gate)
        {
            Reads.Enqueue((chosen, Environment.CurrentManagedThreadId));
            Monitor.PulseAll(_gate);
        }

        if (FailingIndex is { } bad && chosen.Contains(bad)) throw new DataFormatException($"{Name}/{bad}.png", "is damaged (test).");
        using Tensor index = tensor(chosen, ScalarType.Int64);
        return samples.index_select(0, index);
    }

    /// <summary>Waits until a read has asked for exactly <paramref name="indices"/>; false after <paramref name="timeout"/>.</summary>
    public bool WaitForRead(long[] indices, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            while (!Reads.Any(r => r.Indices.SequenceEqual(indices)))
            {
                TimeSpan left = end - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left)) return Reads.Any(r => r.Indices.SequenceEqual(indices));
            }

            return true;
        }
    }
}
