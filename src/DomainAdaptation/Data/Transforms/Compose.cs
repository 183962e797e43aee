namespace DomainAdaptation.Data.Transforms;

/// <summary>Applies transforms in order; intermediate sets are disposed as soon as the next one exists.</summary>
public sealed class Compose : ISampleTransform
{
    private readonly ISampleTransform[] _transforms;

    /// <summary>Creates the composition.</summary>
    /// <param name="transforms">The transforms, first applied first; none means identity (a copy).</param>
    public Compose(params ISampleTransform[] transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        if (transforms.Any(t => t is null)) throw new ArgumentException("A transform in the list is null.", nameof(transforms));
        _transforms = (ISampleTransform[])transforms.Clone();
    }

    /// <summary>The transforms in order.</summary>
    public IReadOnlyList<ISampleTransform> Transforms => _transforms;

    /// <inheritdoc />
    public SampleShape OutputShape(SampleShape input) => _transforms.Aggregate(input, (shape, t) => t.OutputShape(shape));

    /// <inheritdoc />
    public SampleSet Apply(SampleSet input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_transforms.Length == 0)
        {
            return new SampleSet(input.Name, input.Samples.clone(), input.Labels?.clone(), input.ClassCount);
        }

        OutputShape(input.Shape);
        SampleSet current = input;
        foreach (ISampleTransform transform in _transforms)
        {
            SampleSet next = transform.Apply(current);
            if (!ReferenceEquals(current, input)) current.Dispose();
            current = next;
        }

        return current;
    }

    /// <inheritdoc />
    public override string ToString() => "Compose(" + string.Join(", ", _transforms.Select(t => t.ToString())) + ")";
}
