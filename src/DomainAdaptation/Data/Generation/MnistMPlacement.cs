namespace DomainAdaptation.Data.Generation;

/// <summary>Where one MNIST-M image's background comes from: which image, and the top-left corner of the patch.</summary>
/// <param name="BackgroundIndex">Index into the (name-sorted) background list.</param>
/// <param name="X">Left column of the patch in the background image.</param>
/// <param name="Y">Top row of the patch in the background image.</param>
public readonly record struct MnistMPlacement(int BackgroundIndex, int X, int Y);
