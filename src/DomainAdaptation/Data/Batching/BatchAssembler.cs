using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Data.Batching;

/// <summary>
/// Builds a <see cref="DomainBatch"/> from sampler indices: gathers the samples from the CPU storage with
/// <c>index_select</c> (uint8 stays uint8 until then), and converts them with a <see cref="SampleConverter"/>.
/// Call it inside the training step's dispose scope: every tensor of the batch belongs to that scope.
/// </summary>
public sealed class BatchAssembler
{
    private readonly IDomainDataset _data;

    /// <summary>Creates an assembler.</summary>
    /// <param name="data">The domain adaptation problem.</param>
    /// <param name="converter">The conversion to the training dtype, normalisation and device.</param>
    public BatchAssembler(IDomainDataset data, SampleConverter converter)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(converter);
        _data = data;
        Converter = converter;
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
    public DomainBatch Assemble(DomainBatchIndices indices, bool includeTargetLabels = false)
    {
        ArgumentNullException.ThrowIfNull(indices);
        Check(indices.Source, _data.Source);
        Check(indices.Target, _data.Target);
        if (includeTargetLabels && _data.TargetLabelsForEvaluation is null)
        {
            throw new InvalidOperationException($"'{_data.Name}' has no target labels (TargetLabelsForEvaluation is null), so a batch with target labels cannot be built.");
        }

        using Tensor sourceIndex = tensor(indices.Source, dtype: ScalarType.Int64);
        using Tensor targetIndex = tensor(indices.Target, dtype: ScalarType.Int64);
        Device device = Converter.Device;

        Tensor sourceImages = Gather(_data.Source.Samples, sourceIndex);
        Tensor sourceLabels = _data.Source.Labels!.index_select(0, sourceIndex).to(device);
        Tensor targetImages = Gather(_data.Target.Samples, targetIndex);
        Tensor? targetLabels = includeTargetLabels ? _data.TargetLabelsForEvaluation!.index_select(0, targetIndex).to(device) : null;
        return new DomainBatch(sourceImages, sourceLabels, targetImages, targetLabels);
    }

    private Tensor Gather(Tensor storage, Tensor index)
    {
        using Tensor raw = storage.index_select(0, index);
        return Converter.Convert(raw);
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
}
