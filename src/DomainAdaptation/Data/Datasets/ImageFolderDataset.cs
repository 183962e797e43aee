namespace DomainAdaptation.Data.Datasets;

/// <summary>Images read from a folder with one sub-folder per class.</summary>
public sealed class ImageFolderDataset : IDisposable
{
    internal ImageFolderDataset(SampleSet samples, IReadOnlyList<string> classNames, IReadOnlyList<string> files)
    {
        Samples = samples;
        ClassNames = classNames;
        Files = files;
    }

    /// <summary>uint8 images <c>[N, C, H, W]</c> and int64 labels (the class index of each image's folder).</summary>
    public SampleSet Samples { get; }

    /// <summary>The class folder names; label <c>k</c> is <c>ClassNames[k]</c> (ordinal sort order).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The image files, aligned with the samples.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <inheritdoc />
    public void Dispose() => Samples.Dispose();
}
