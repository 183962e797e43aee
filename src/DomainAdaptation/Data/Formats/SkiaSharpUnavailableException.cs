namespace DomainAdaptation.Data.Formats;

/// <summary>
/// Thrown when decoding a JPEG, BMP, GIF or WebP image (PNG is decoded without SkiaSharp) needs SkiaSharp's native
/// library (libSkiaSharp) and it cannot be loaded, or when the loaded native library does not match the managed
/// SkiaSharp assembly. The message names the file and the package to add.
/// </summary>
public sealed class SkiaSharpUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    /// <param name="innerException">The loader's error.</param>
    public SkiaSharpUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
