using static TorchSharp.torch;

namespace DomainAdaptation.Data;

/// <summary>
/// The standard <see cref="IDomainDataset"/>: a labelled source set and a target set whose labels, if any, are
/// moved out of the training data into <see cref="TargetLabelsForEvaluation"/>.
/// </summary>
public sealed class DomainDataset : IDomainDataset, IDisposable
{
    /// <summary>Creates a domain adaptation problem from two sample sets and takes ownership of them.</summary>
    /// <param name="name">A name for logs and reports.</param>
    /// <param name="source">The labelled source set.</param>
    /// <param name="target">The target set; its labels (if any) are kept apart for evaluation only.</param>
    /// <exception cref="ArgumentException">When the source has no labels or the two sets' sample shapes or class counts differ.</exception>
    public DomainDataset(string name, SampleSet source, SampleSet target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Labels is null)
        {
            throw new ArgumentException($"{name}: the source set '{source.Name}' must be labelled.", nameof(source));
        }

        if (!source.Shape.Equals(target.Shape))
        {
            throw new ArgumentException($"{name}: the source '{source.Name}' has samples of shape {source.Shape} but the target '{target.Name}' has {target.Shape}; transform one of them (e.g. grey → RGB, pad 28 → 32) so both match.", nameof(target));
        }

        if (source.StorageType != target.StorageType)
        {
            throw new ArgumentException($"{name}: the source '{source.Name}' stores {source.StorageType} but the target '{target.Name}' stores {target.StorageType}.", nameof(target));
        }

        if (target.ClassCount != 0 && target.ClassCount != source.ClassCount)
        {
            throw new ArgumentException($"{name}: the source '{source.Name}' has {source.ClassCount} classes but the target '{target.Name}' has {target.ClassCount}.", nameof(target));
        }

        Name = name;
        Source = source;
        if (target.Labels is not null)
        {
            TargetLabelsForEvaluation = target.Labels.clone();
            Target = target.WithoutLabels();
            target.Dispose();
        }
        else
        {
            Target = target;
        }
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public SampleSet Source { get; }

    /// <inheritdoc />
    public SampleSet Target { get; }

    /// <inheritdoc />
    public Tensor? TargetLabelsForEvaluation { get; }

    /// <inheritdoc />
    public SampleShape SampleShape => Source.Shape;

    /// <inheritdoc />
    public int ClassCount => Source.ClassCount;

    /// <inheritdoc />
    public void Dispose()
    {
        Source.Dispose();
        Target.Dispose();
        TargetLabelsForEvaluation?.Dispose();
    }
}
