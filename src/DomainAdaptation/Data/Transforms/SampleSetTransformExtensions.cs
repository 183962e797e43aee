namespace DomainAdaptation.Data.Transforms;

/// <summary>Applies transforms to sample sets.</summary>
public static class SampleSetTransformExtensions
{
    /// <summary>Transforms a set and disposes the input: <c>set = set.TransformAndDispose(t)</c>.</summary>
    /// <param name="set">The set (disposed, also when the transform fails).</param>
    /// <param name="transform">The transform.</param>
    /// <returns>The transformed set.</returns>
    public static SampleSet TransformAndDispose(this SampleSet set, ISampleTransform transform)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(transform);
        using (set)
        {
            return transform.Apply(set);
        }
    }
}
