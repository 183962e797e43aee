using System.Globalization;
using DomainAdaptation.Data.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Batching;

/// <summary>
/// Builds a <see cref="DomainBatch"/> from sampler indices: gathers the samples (<c>index_select</c> from memory, where
/// uint8 stays uint8 until then, or a read of a streamed set) and converts them with a <see cref="SampleConverter"/>.
/// Call it inside the training step's dispose scope: every tensor of the batch belongs to that scope.
/// </summary>
/// <remarks>
/// With <see cref="Assemble(DomainBatchSampler, long, bool)"/> and a streamed set (<see cref="SampleSet.IsStreamed"/>),
/// the assembler reads the next <c>prefetchSteps</c> steps' samples of that set ahead on background threads, so that
/// decoding overlaps the current step; the batch is the same as without read-ahead, since a step's indices are a
/// function of the seed and the step alone. Read-ahead holds at most <c>prefetchSteps</c> raw uint8 batches per
/// streamed domain. Dispose the assembler to stop and free the pending reads.
/// </remarks>
public sealed class BatchAssembler : IDisposable
{
    private readonly IDomainDataset _data;
    private readonly int _prefetchSteps;
    private readonly Dictionary<long, Pending> _pending = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Creates an assembler.</summary>
    /// <param name="data">The domain adaptation problem.</param>
    /// <param name="converter">The conversion to the training dtype, normalisation and device.</param>
    /// <param name="prefetchSteps">Steps read ahead from streamed sets by <see cref="Assemble(DomainBatchSampler, long, bool)"/>; 0 for none.</param>
    public BatchAssembler(IDomainDataset data, SampleConverter converter, int prefetchSteps = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(converter);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetchSteps);
        _data = data;
        Converter = converter;
        _prefetchSteps = data.Source.IsStreamed || data.Target.IsStreamed ? prefetchSteps : 0;
    }

    /// <summary>The conversion applied to the gathered samples.</summary>
    public SampleConverter Converter { get; }

    /// <summary>Gathers and converts one step's batch.</summary>
    /// <param name="indices">The indices chosen by a <see cref="DomainBatchSampler"/>.</param>
    /// <param name="includeTargetLabels">
    /// True to gather the target labels too (only for the target-only upper bound); they come from
    /// <see cref="IDomainDataset.TargetLabelsForEvaluation"/>.
    /// </param>
    /// <returns>The batch on the converter's device, in its dtype.</returns>
    /// <exception cref="InvalidOperationException">When target labels are asked for but the data set has none.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When an index lies outside its set.</exception>
    /// <exception cref="DataFormatException">When a streamed sample cannot be read; the message names its file.</exception>
    public DomainBatch Assemble(DomainBatchIndices indices, bool includeTargetLabels = false)
    {
        ArgumentNullException.ThrowIfNull(indices);
        Check(indices, includeTargetLabels);
        return Build(indices, _data.Source.Gather(indices.Source), _data.Target.Gather(indices.Target), includeTargetLabels);
    }

    /// <summary>
    /// Gathers and converts the batch of step <paramref name="step"/> of <paramref name="sampler"/>, and starts reading the
    /// next steps' samples of streamed sets in the background (the same batch as <c>Assemble(sampler.IndicesAt(step))</c>).
    /// </summary>
    /// <param name="sampler">The run's sampler (always the same one for one assembler).</param>
    /// <param name="step">The step.</param>
    /// <param name="includeTargetLabels">True to gather the target labels too (target-only upper bound).</param>
    /// <returns>The batch on the converter's device, in its dtype.</returns>
    /// <exception cref="InvalidOperationException">When target labels are asked for but the data set has none.</exception>
    /// <exception cref="DataFormatException">When a streamed sample cannot be read; the message names its file.</exception>
    public DomainBatch Assemble(DomainBatchSampler sampler, long step, bool includeTargetLabels = false)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        if (_prefetchSteps == 0) return Assemble(sampler.IndicesAt(step), includeTargetLabels);

        // Drop reads that are no longer ahead (a resumed or restarted run), then make sure this step and the next ones are under way.
        foreach (long stale in _pending.Keys.Where(k => k < step || k > step + _prefetchSteps).ToList())
        {
            _pending.Remove(stale, out Pending? old);
            old!.Discard();
        }

        for (long s = step; s <= step + _prefetchSteps; s++)
        {
            if (!_pending.ContainsKey(s)) _pending[s] = Start(sampler.IndicesAt(s));
        }

        _pending.Remove(step, out Pending? current);
        DomainBatchIndices indices = current!.Indices;
        Check(indices, includeTargetLabels);
        (Tensor source, Tensor target) = current.Take();
        return Build(indices, source, target, includeTargetLabels);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        foreach (Pending p in _pending.Values) p.Discard();
        _pending.Clear();
        _stop.Dispose();
    }

    private Pending Start(DomainBatchIndices indices)
    {
        CancellationToken token = _stop.Token;
        Task<Tensor>? source = _data.Source.IsStreamed ? Task.Run(() => _data.Source.Gather(indices.Source, token), token) : null;
        Task<Tensor>? target = _data.Target.IsStreamed ? Task.Run(() => _data.Target.Gather(indices.Target, token), token) : null;
        return new Pending(indices, source, target, _data);
    }

    private DomainBatch Build(DomainBatchIndices indices, Tensor sourceRaw, Tensor targetRaw, bool includeTargetLabels)
    {
        Device device = Converter.Device;
        using Tensor sourceIndex = tensor(indices.Source, dtype: ScalarType.Int64);
        using Tensor targetIndex = tensor(indices.Target, dtype: ScalarType.Int64);
        Tensor sourceImages, targetImages;
        using (sourceRaw)
        using (targetRaw)
        {
            sourceImages = Converter.Convert(sourceRaw);
            targetImages = Converter.Convert(targetRaw);
        }

        Tensor sourceLabels = _data.Source.Labels!.index_select(0, sourceIndex).to(device);
        Tensor? targetLabels = includeTargetLabels ? _data.TargetLabelsForEvaluation!.index_select(0, targetIndex).to(device) : null;
        return new DomainBatch(sourceImages, sourceLabels, targetImages, targetLabels);
    }

    private void Check(DomainBatchIndices indices, bool includeTargetLabels)
    {
        Check(indices.Source, _data.Source);
        Check(indices.Target, _data.Target);
        if (includeTargetLabels && _data.TargetLabelsForEvaluation is null)
        {
            throw new InvalidOperationException($"'{_data.Name}' has no target labels (TargetLabelsForEvaluation is null), so a batch with target labels cannot be built.");
        }
    }

    private static void Check(long[] indices, SampleSet set)
    {
        foreach (long i in indices)
        {
            if (i < 0 || i >= set.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), i, string.Create(CultureInfo.InvariantCulture, $"Index {i} lies outside '{set.Name}' ({set.Count} samples)."));
            }
        }
    }

    /// <summary>One step's reads under way: streamed domains in the background, in-memory ones gathered when taken.</summary>
    private sealed class Pending(DomainBatchIndices indices, Task<Tensor>? source, Task<Tensor>? target, IDomainDataset data)
    {
        public DomainBatchIndices Indices { get; } = indices;

        public (Tensor Source, Tensor Target) Take()
        {
            // GetResult rethrows a read's own exception (e.g. the DataFormatException naming a damaged file), not an AggregateException.
            Tensor s = source?.GetAwaiter().GetResult() ?? data.Source.Gather(Indices.Source);
            Tensor t;
            try
            {
                t = target?.GetAwaiter().GetResult() ?? data.Target.Gather(Indices.Target);
            }
            catch
            {
                s.Dispose();
                throw;
            }

            return (s, t);
        }

        public void Discard()
        {
            foreach (Task<Tensor>? task in new[] { source, target })
            {
                if (task is null) continue;
                try
                {
                    task.GetAwaiter().GetResult().Dispose();
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException or ArgumentException)
                {
                    // A read that was stopped or failed leaves nothing to free; a failure that matters is seen when its step is taken.
                }
            }
        }
    }
}
