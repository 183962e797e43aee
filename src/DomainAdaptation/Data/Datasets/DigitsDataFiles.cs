namespace DomainAdaptation.Data.Datasets;

/// <summary>The files of the MNIST → MNIST-M problem found under a data root.</summary>
/// <param name="MnistTrainImages">MNIST train images (IDX, raw or gzip).</param>
/// <param name="MnistTrainLabels">MNIST train labels.</param>
/// <param name="MnistTestImages">MNIST test images.</param>
/// <param name="MnistTestLabels">MNIST test labels.</param>
/// <param name="MnistM">The MNIST-M archive (<c>mnist_m.tar.gz</c>) or extracted release folder.</param>
public sealed record DigitsDataFiles(string MnistTrainImages, string MnistTrainLabels, string MnistTestImages, string MnistTestLabels, string MnistM);
