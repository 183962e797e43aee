namespace DomainAdaptation.Data.Transforms;

/// <summary>
/// A transform of a whole uint8 image set <c>[N, C, H, W]</c>, applied once at load time (not per batch).
/// </summary>
public interface ISampleTransform
{
    /// <summary>The shape of one output sample for an input sample shape.</summary>
    /// <param name="input">The input sample shape <c>(C, H, W)</c>.</param>
    /// <returns>The output sample shape.</returns>
    /// <exception cref="ArgumentException">When the transform does not apply to this shape.</exception>
    SampleShape OutputShape(SampleShape input);

    /// <summary>Returns a new set; the input is left untouched (the caller still owns and disposes it).</summary>
    /// <param name="input">A uint8 image set on the CPU.</param>
    /// <returns>The transformed set, with the input's labels (copied), class count and name.</returns>
    /// <exception cref="ArgumentException">When the input is not a uint8 image set of a shape this transform accepts.</exception>
    SampleSet Apply(SampleSet input);
}
