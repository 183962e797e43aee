namespace DomainAdaptation.Data.Datasets;

/// <summary>
/// The MNIST → MNIST-M problem: training data (labelled MNIST train as source, MNIST-M train as target with its
/// labels kept apart for evaluation) and the two test sets. Owns all tensors; dispose it when done.
/// </summary>
/// <param name="Train">Source: MNIST train (60,000); target: MNIST-M train (59,001).</param>
/// <param name="SourceTest">MNIST test (10,000), labelled, in the same geometry.</param>
/// <param name="TargetTest">MNIST-M test (9,001), labelled (for evaluation only), in the same geometry.</param>
/// <param name="Geometry">How the two domains were brought to one shape.</param>
public sealed record DigitsProblem(DomainDataset Train, SampleSet SourceTest, SampleSet TargetTest, DigitsGeometry Geometry) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        SourceTest.Dispose();
        TargetTest.Dispose();
    }
}
