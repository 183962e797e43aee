namespace DomainAdaptation.Data.Datasets;

/// <summary>How <see cref="ImageFolder"/> reads a folder of class sub-folders. Validate with <see cref="ImageFolderOptionsValidator"/>.</summary>
public sealed class ImageFolderOptions
{
    /// <summary>Output channels: 3 (RGB, grey repeated) or 1 (grey, BT.601 luma). Default 3. Alpha is dropped.</summary>
    public int Channels { get; set; } = 3;

    /// <summary>The output height; set together with <see cref="Width"/> to resize every image (bilinear). Null: images are brought to the most common size among them.</summary>
    public int? Height { get; set; }

    /// <summary>The output width; set together with <see cref="Height"/>.</summary>
    public int? Width { get; set; }

    /// <summary>File extensions read (case-insensitive); other files are ignored.</summary>
    public IList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>
    /// Leave out files that cannot be read or decoded (0-byte, truncated, corrupt, not an image) instead of failing the
    /// load; they are listed in <see cref="ImageFolderDataset.Skipped"/> and logged once. A class whose every image is
    /// bad is still an error. Default false: the first bad file fails the load, naming it.
    /// </summary>
    public bool SkipBadImages { get; set; }

    /// <summary>
    /// Decode the images on demand instead of loading them into memory: the load reads only each file's header (its
    /// size, channels and that it is an image; bad files are refused or, with <see cref="SkipBadImages"/>, skipped as
    /// usual), and every batch, evaluation pass or calibration pass decodes its files in parallel (the trainer reads the
    /// next steps' batches ahead, <see cref="Training.InputOptions.PrefetchSteps"/>). Memory then holds a few batches, not
    /// the data set: for sets larger than memory (VisDA's 152,000 photos are 23 GB at 224×224). The bytes are those an
    /// in-memory load gives, so a run is the same either way. A file whose header is sound but whose pixel data are
    /// damaged fails the step that reads it, naming the file. Default false.
    /// </summary>
    public bool Stream { get; set; }

    /// <summary>The largest width × height of one image accepted.</summary>
    public long MaxPixelsPerImage { get; set; } = 1L << 26;
}
