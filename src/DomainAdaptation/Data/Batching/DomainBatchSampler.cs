using System.Globalization;

namespace DomainAdaptation.Data.Batching;

/// <summary>
/// Chooses the samples of each training step: <see cref="BatchSizePerDomain"/> source and as many target samples,
/// each domain shuffled without replacement per epoch, the smaller domain cycling through more epochs than the larger.
/// </summary>
/// <remarks>
/// <para>
/// Each domain is read as an endless stream of epochs: epoch <c>e</c> of domain <c>d</c> is a permutation of its
/// <c>N_d</c> indices drawn from a generator seeded by <c>hash(seed, d, e)</c>. Step <c>s</c> takes stream positions
/// <c>[s·B, (s + 1)·B)</c> of each domain, so a batch may straddle two epochs; within one epoch no index repeats.
/// </para>
/// <para>
/// The indices of step <c>s</c> are a function of <c>(seed, s)</c> alone: <see cref="IndicesAt"/> can be called for
/// any step in any order, so a resumed run needs only the step number, never a saved generator state. An instance
/// caches the two most recent epoch orders per domain and is not thread-safe; use one per thread.
/// </para>
/// </remarks>
public sealed class DomainBatchSampler
{
    private const long SourceDomain = 0;
    private const long TargetDomain = 1;

    private readonly EpochCache _source;
    private readonly EpochCache _target;

    /// <summary>Creates a sampler.</summary>
    /// <param name="sourceCount">The number of source samples; positive.</param>
    /// <param name="targetCount">The number of target samples; positive.</param>
    /// <param name="batchSizePerDomain">Samples per domain per step; positive.</param>
    /// <param name="seed">The seed that fixes the whole sequence of batches.</param>
    /// <exception cref="ArgumentOutOfRangeException">When a count or the batch size is not positive.</exception>
    public DomainBatchSampler(int sourceCount, int targetCount, int batchSizePerDomain, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSizePerDomain);
        SourceCount = sourceCount;
        TargetCount = targetCount;
        BatchSizePerDomain = batchSizePerDomain;
        Seed = seed;
        _source = new EpochCache(seed, SourceDomain, sourceCount);
        _target = new EpochCache(seed, TargetDomain, targetCount);
    }

    /// <summary>The number of source samples.</summary>
    public int SourceCount { get; }

    /// <summary>The number of target samples.</summary>
    public int TargetCount { get; }

    /// <summary>Samples per domain per step.</summary>
    public int BatchSizePerDomain { get; }

    /// <summary>The seed.</summary>
    public long Seed { get; }

    /// <summary>
    /// Steps per epoch, defined by the larger domain: <c>⌈max(N_source, N_target) / B⌉</c>, so that in one epoch
    /// every sample of both domains is seen at least once.
    /// </summary>
    public long StepsPerEpoch => StepsPerEpochFor(SourceCount, TargetCount, BatchSizePerDomain);

    /// <summary>Steps per epoch for the given sizes: <c>⌈max(N_source, N_target) / B⌉</c>.</summary>
    /// <param name="sourceCount">Source samples.</param>
    /// <param name="targetCount">Target samples.</param>
    /// <param name="batchSizePerDomain">Samples per domain per step.</param>
    /// <returns>The number of steps.</returns>
    public static long StepsPerEpochFor(int sourceCount, int targetCount, int batchSizePerDomain)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSizePerDomain);
        long larger = Math.Max(sourceCount, targetCount);
        return (larger + batchSizePerDomain - 1) / batchSizePerDomain;
    }

    /// <summary>The indices of step <paramref name="step"/>; the same for the same seed and step, whatever was asked before.</summary>
    /// <param name="step">The zero-based step; not negative.</param>
    /// <returns>The source and target indices.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="step"/> is negative or so large that positions overflow.</exception>
    public DomainBatchIndices IndicesAt(long step)
    {
        if (step < 0 || step > (long.MaxValue / BatchSizePerDomain) - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, string.Create(CultureInfo.InvariantCulture, $"The step must lie in [0, {(long.MaxValue / BatchSizePerDomain) - 1}]."));
        }

        long start = step * BatchSizePerDomain;
        return new DomainBatchIndices(step, _source.Take(start, BatchSizePerDomain), _target.Take(start, BatchSizePerDomain));
    }

    /// <summary>The permutation that orders epoch <paramref name="epoch"/> of the source domain.</summary>
    /// <param name="epoch">The zero-based epoch of that domain.</param>
    /// <returns>A permutation of <c>0 … N_source − 1</c>.</returns>
    public int[] SourceEpochOrder(long epoch) => (int[])_source.Epoch(epoch).Clone();

    /// <summary>The permutation that orders epoch <paramref name="epoch"/> of the target domain.</summary>
    /// <param name="epoch">The zero-based epoch of that domain.</param>
    /// <returns>A permutation of <c>0 … N_target − 1</c>.</returns>
    public int[] TargetEpochOrder(long epoch) => (int[])_target.Epoch(epoch).Clone();

    /// <summary>One domain's stream of epoch permutations, keeping the two most recently used.</summary>
    private sealed class EpochCache(long seed, long domain, int count)
    {
        private long _epochA = -1;
        private int[] _orderA = [];
        private long _epochB = -1;
        private int[] _orderB = [];

        public long[] Take(long start, int length)
        {
            var result = new long[length];
            for (int i = 0; i < length; i++)
            {
                long position = start + i;
                long epoch = position / count;
                int offset = (int)(position % count);
                result[i] = Epoch(epoch)[offset];
            }

            return result;
        }

        public int[] Epoch(long epoch)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(epoch);
            if (epoch == _epochA) return _orderA;
            if (epoch == _epochB) return _orderB;
            var random = new DeterministicRandom(DeterministicRandom.Mix(seed, domain, epoch));
            int[] order = random.Permutation(count);
            _epochB = _epochA;
            _orderB = _orderA;
            _epochA = epoch;
            _orderA = order;
            return order;
        }
    }
}
