namespace DomainAdaptation.Data.Generation;

/// <summary>Progress of writing an MNIST-M split.</summary>
/// <param name="Completed">Images written so far.</param>
/// <param name="Total">Images to write.</param>
public readonly record struct MnistMGenerationProgress(int Completed, int Total)
{
    /// <summary>The fraction done, in <c>[0, 1]</c>.</summary>
    public double Fraction => Total == 0 ? 1.0 : (double)Completed / Total;
}
