using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Formats;

/// <summary>Decodes many images in parallel into one planar uint8 buffer and builds the tensor with one copy.</summary>
internal static class ParallelDecoding
{
    /// <summary>
    /// Runs <paramref name="decodeInto"/> for every index on up to <paramref name="parallelism"/> threads; the first
    /// error (in index order among those seen) is rethrown unwrapped.
    /// </summary>
    /// <param name="count">The number of items.</param>
    /// <param name="bytesPerItem">The bytes each item fills in the output.</param>
    /// <param name="parallelism">The most threads.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <param name="decodeInto">Fills the slice of item <c>i</c>.</param>
    /// <param name="shape">The tensor shape, <c>[count, ...]</c>.</param>
    /// <returns>A uint8 tensor of the given shape.</returns>
    public static Tensor DecodeAll(int count, int bytesPerItem, int parallelism, CancellationToken cancellationToken,
        Action<int, Memory<byte>> decodeInto, long[] shape)
    {
        var buffer = new byte[checked((long)count * bytesPerItem)];
        Run(count, parallelism, cancellationToken, i => decodeInto(i, buffer.AsMemory(i * bytesPerItem, bytesPerItem)));
        Tensor result = empty(shape, ScalarType.Byte);
        buffer.AsSpan().CopyTo(result.bytes);
        return result;
    }

    /// <summary>Runs <paramref name="body"/> for indices <c>[0, count)</c> in parallel, rethrowing the first error unwrapped.</summary>
    public static void Run(int count, int parallelism, CancellationToken cancellationToken, Action<int> body)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        try
        {
            // Contiguous ranges keep per-thread overhead low for many tiny images.
            int ranges = Math.Max(1, Math.Min(count, parallelism * 16));
            Parallel.For(0, ranges, options, r =>
            {
                int start = (int)((long)count * r / ranges);
                int end = (int)((long)count * (r + 1) / ranges);
                for (int i = start; i < end; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    body(i);
                }
            });
        }
        catch (AggregateException ex)
        {
            Exception first = ex.Flatten().InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) ?? ex.InnerExceptions[0];
            ExceptionDispatchInfo.Capture(first).Throw();
        }
    }
}
