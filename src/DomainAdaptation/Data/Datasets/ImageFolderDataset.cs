namespace DomainAdaptation.Data.Datasets;

/// <summary>Images read by <see cref="ImageFolder"/> or <see cref="ImageList"/>: samples, class names, files, what was converted and what was skipped.</summary>
public sealed class ImageFolderDataset : IDisposable
{
    internal ImageFolderDataset(SampleSet samples, IReadOnlyList<string> classNames, IReadOnlyList<string> files,
        IReadOnlyList<SkippedImage>? skipped = null, ImageConversions? conversions = null)
    {
        Samples = samples;
        ClassNames = classNames;
        Files = files;
        Skipped = skipped ?? [];
        Conversions = conversions ?? ImageConversions.None(samples.Shape.Height, samples.Shape.Width);
    }

    /// <summary>uint8 images <c>[N, C, H, W]</c> and int64 labels (the class index of each image); no labels for an unlabelled folder.</summary>
    public SampleSet Samples { get; }

    /// <summary>The class names; label <c>k</c> is <c>ClassNames[k]</c> (ordinal sort order). Empty for an unlabelled folder.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The image files, aligned with the samples (skipped files are not among them).</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Files left out because they could not be read or decoded (only with <see cref="ImageFolderOptions.SkipBadImages"/>).</summary>
    public IReadOnlyList<SkippedImage> Skipped { get; }

    /// <summary>What was converted to bring every image to one channel count and size.</summary>
    public ImageConversions Conversions { get; }

    /// <summary>Whether the images carry labels (class folders or a labels file), as opposed to a flat unlabelled folder.</summary>
    public bool IsLabelled => Samples.Labels is not null;

    /// <summary>
    /// Splits the images into a training and a test part, stratified by class (each class keeps its share, at least one
    /// image per class in each part when the class has two or more), with a seeded shuffle: the same seed gives the same
    /// split on every machine and .NET version.
    /// </summary>
    /// <param name="testFraction">The share of each class that goes to the test part, in (0, 1).</param>
    /// <param name="seed">The shuffle's seed.</param>
    /// <returns>The two parts (new sets; this one is unchanged and still owned by the caller).</returns>
    /// <exception cref="ArgumentOutOfRangeException">When the fraction is not in (0, 1).</exception>
    public (SampleSet Train, SampleSet Test) Split(double testFraction, long seed) => Samples.SplitStratified(testFraction, seed);

    /// <inheritdoc />
    public void Dispose() => Samples.Dispose();
}

/// <summary>A file left out of an image set because it could not be read or decoded.</summary>
/// <param name="Path">The file.</param>
/// <param name="Reason">Why (the decoder's message, without the file name).</param>
public sealed record SkippedImage(string Path, string Reason);

/// <summary>What an image load converted to bring every image to one channel count and size.</summary>
/// <param name="GreyToRgb">Grey (or grey + alpha) images repeated into RGB.</param>
/// <param name="RgbToGrey">Colour images converted to grey (BT.601 luma).</param>
/// <param name="AlphaDropped">Images whose alpha channel was dropped.</param>
/// <param name="Resized">Images resized (bilinear) to <paramref name="Height"/> × <paramref name="Width"/>.</param>
/// <param name="OtherSizes">How many distinct sizes the resized images had.</param>
/// <param name="Height">The output height.</param>
/// <param name="Width">The output width.</param>
/// <param name="FirstResized">The first resized file, for the log; null when none was.</param>
public sealed record ImageConversions(int GreyToRgb, int RgbToGrey, int AlphaDropped, int Resized, int OtherSizes, int Height, int Width, string? FirstResized)
{
    /// <summary>No conversion at the given size.</summary>
    /// <param name="height">The output height.</param>
    /// <param name="width">The output width.</param>
    /// <returns>The empty record.</returns>
    public static ImageConversions None(int height, int width) => new(0, 0, 0, 0, 0, height, width, null);

    /// <summary>Whether anything was converted.</summary>
    public bool Any => GreyToRgb + RgbToGrey + AlphaDropped + Resized > 0;

    /// <summary>One line for a log or report, e.g. "3 grey images repeated into RGB; 12 images of 4 other sizes resized to 224×224".</summary>
    /// <param name="channels">The output channel count (for the wording).</param>
    /// <returns>The description; "nothing converted" when nothing was.</returns>
    public string Describe(int channels)
    {
        var parts = new List<string>();
        if (GreyToRgb > 0) parts.Add($"{GreyToRgb} grey image(s) repeated into RGB");
        if (RgbToGrey > 0) parts.Add($"{RgbToGrey} colour image(s) converted to grey (BT.601 luma)");
        if (AlphaDropped > 0) parts.Add($"alpha dropped from {AlphaDropped} image(s)");
        if (Resized > 0) parts.Add($"{Resized} image(s) of {OtherSizes} other size(s) resized to {Width}×{Height} (e.g. '{FirstResized}')");
        return parts.Count == 0 ? "nothing converted" : string.Join("; ", parts) + $" (output {channels}×{Height}×{Width})";
    }
}
