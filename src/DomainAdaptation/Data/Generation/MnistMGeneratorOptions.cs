namespace DomainAdaptation.Data.Generation;

/// <summary>Options of <see cref="MnistMGenerator"/>; validated by <see cref="MnistMGeneratorOptionsValidator"/>.</summary>
public sealed class MnistMGeneratorOptions
{
    /// <summary>
    /// The seed of every random choice (background image and patch position per image). The same seed, digits and
    /// background list give byte-identical output on every machine. Default 42.
    /// </summary>
    public int Seed { get; set; } = 42;

    /// <summary>
    /// The side of the square output images, at least the digit's side, with an even difference. Default 32, like the
    /// authors' release: the 28×28 digit is padded by 2 pixels of zeros on each side and blended with a 32×32 patch, so
    /// the border shows the background unchanged. 28 gives the reference TensorFlow script's 28×28 images.
    /// </summary>
    public int ImageSize { get; set; } = 32;

    /// <summary>How many images are encoded and written at once; -1 for one per core. Default -1.</summary>
    public int MaxDegreeOfParallelism { get; set; } = -1;

    /// <summary>The PNG filter choice of written images. Default adaptive (smaller files).</summary>
    public PngFilterStrategy PngFilter { get; set; } = PngFilterStrategy.Adaptive;
}
