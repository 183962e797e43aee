namespace DomainAdaptation.Data.Datasets;

/// <summary>How <see cref="ImageFolder"/> reads a folder of class sub-folders. Validate with <see cref="ImageFolderOptionsValidator"/>.</summary>
public sealed class ImageFolderOptions
{
    /// <summary>Output channels: 3 (RGB, grey repeated) or 1 (grey, BT.601 luma). Default 3. Alpha is dropped.</summary>
    public int Channels { get; set; } = 3;

    /// <summary>The output height; set together with <see cref="Width"/> to resize every image (bilinear). Null: all images must share one size.</summary>
    public int? Height { get; set; }

    /// <summary>The output width; set together with <see cref="Height"/>.</summary>
    public int? Width { get; set; }

    /// <summary>File extensions read (case-insensitive); other files are ignored.</summary>
    public IList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>The largest width × height of one image accepted.</summary>
    public long MaxPixelsPerImage { get; set; } = 1L << 26;
}
