namespace DomainAdaptation.Data.Generation;

/// <summary>What <see cref="MnistMGenerator.WriteAsync(SampleSet, BackgroundImages, string, MnistMSplit, IProgress{MnistMGenerationProgress}?, CancellationToken)"/> wrote.</summary>
/// <param name="Split">The split written.</param>
/// <param name="ImageFolder">The folder of PNG images, e.g. <c>out/mnist_m_train</c>.</param>
/// <param name="LabelFile">The label file, e.g. <c>out/mnist_m_train_labels.txt</c>.</param>
/// <param name="RecordFile">The JSON record of the recipe, seed and backgrounds, e.g. <c>out/mnist_m_train_generator.json</c>.</param>
/// <param name="Count">The number of images.</param>
/// <param name="Seed">The seed used.</param>
/// <param name="ImageSize">The side of the square images.</param>
/// <param name="Elapsed">The wall time of the run.</param>
public sealed record MnistMGenerationResult(
    MnistMSplit Split,
    string ImageFolder,
    string LabelFile,
    string RecordFile,
    int Count,
    int Seed,
    int ImageSize,
    TimeSpan Elapsed);
