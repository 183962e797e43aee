using System.Runtime.ExceptionServices;

namespace DomainAdaptation.Data.Formats;

/// <summary>Runs per-image work (decoding) in parallel over contiguous index ranges.</summary>
internal static class ParallelDecoding
{
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
