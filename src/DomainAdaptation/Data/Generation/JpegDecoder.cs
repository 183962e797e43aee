using System.Runtime.InteropServices;
using SkiaSharp;

namespace DomainAdaptation.Data.Generation;

/// <summary>
/// Decodes JPEG (and any other format Skia reads) to 8-bit RGB through SkiaSharp, which TorchSharp already brings.
/// The library compiles against SkiaSharp's managed API only; the application supplies the native library
/// (package <c>SkiaSharp.NativeAssets.Linux</c> on Linux; the Windows and macOS assets come with SkiaSharp).
/// </summary>
internal static class JpegDecoder
{
    /// <summary>Decodes an encoded image.</summary>
    /// <param name="source">The file or archive entry, for messages.</param>
    /// <param name="name">The name the image gets (<see cref="RgbImage.Name"/>).</param>
    /// <param name="encoded">The file's bytes.</param>
    /// <returns>The RGB image (alpha, if any, is dropped; colours are not premultiplied).</returns>
    /// <exception cref="InvalidDataException">When the bytes are not an image Skia can decode.</exception>
    /// <exception cref="SkiaSharpUnavailableException">When SkiaSharp's native library is missing or mismatched.</exception>
    public static RgbImage Decode(string source, string name, byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        try
        {
            return DecodeCore(source, name, encoded);
        }
        catch (Exception ex) when (IsNativeLoadFailure(ex))
        {
            throw new SkiaSharpUnavailableException(DescribeNativeFailure(ex), ex);
        }
    }

    /// <summary>True for the exceptions SkiaSharp raises when libSkiaSharp is missing, unloadable or of another version.</summary>
    internal static bool IsNativeLoadFailure(Exception ex) => ex switch
    {
        DllNotFoundException or EntryPointNotFoundException or BadImageFormatException => true,
        TypeInitializationException t => t.InnerException is null || IsNativeLoadFailure(t.InnerException) || t.TypeName?.StartsWith("SkiaSharp", StringComparison.Ordinal) == true,
        InvalidOperationException i => i.Message.Contains("libSkiaSharp", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>The message for a native load failure: what is missing and which package to add.</summary>
    internal static string DescribeNativeFailure(Exception ex)
    {
        string managed = typeof(SKCodec).Assembly.GetName().Version?.ToString() ?? "unknown";
        string assets = OperatingSystem.IsLinux() ? "SkiaSharp.NativeAssets.Linux (or SkiaSharp.NativeAssets.Linux.NoDependencies without fontconfig)"
            : OperatingSystem.IsMacOS() ? "SkiaSharp.NativeAssets.macOS"
            : OperatingSystem.IsWindows() ? "SkiaSharp.NativeAssets.Win32"
            : "the SkiaSharp.NativeAssets.* package for this platform";
        bool mismatch = ex.GetBaseException() is InvalidOperationException;
        string cause = mismatch
            ? "the native library libSkiaSharp that was loaded does not match the managed SkiaSharp assembly"
            : "the native library libSkiaSharp could not be loaded";
        return $"Decoding JPEG images needs SkiaSharp, but {cause} ({RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}; " +
               $"managed SkiaSharp {managed}). Add the package {assets} to the application project, with the same version as the " +
               "SkiaSharp package it resolves (for example SkiaSharp 3.119.0 with SkiaSharp.NativeAssets.Linux 3.119.0, or 2.88.6 with 2.88.6), " +
               $"and rebuild. Loader error: {ex.GetBaseException().Message}";
    }

    private static RgbImage DecodeCore(string source, string name, byte[] encoded)
    {
        (byte[] Rgba, int Width, int Height, SKCodecResult Result)? decoded = Formats.SkiaImageDecoder.DecodeRgba(encoded, (width, height) =>
        {
            if (width <= 0 || height <= 0)
            {
                throw new InvalidDataException($"'{source}' declares an empty image ({width}×{height}).");
            }
        });
        if (decoded is not { } image)
        {
            throw new InvalidDataException($"'{source}' is not an image SkiaSharp can decode (expected a JPEG or PNG; {encoded.Length} bytes).");
        }

        if (image.Result == SKCodecResult.IncompleteInput)
        {
            throw new InvalidDataException($"'{source}' is truncated: SkiaSharp decoded only part of the {image.Width}×{image.Height} image.");
        }

        if (image.Result != SKCodecResult.Success)
        {
            throw new InvalidDataException($"'{source}' could not be decoded: SkiaSharp reported {image.Result}.");
        }

        byte[] rgba = image.Rgba;
        byte[] rgb = new byte[3 * image.Width * image.Height];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = rgba[i];
            rgb[j + 1] = rgba[i + 1];
            rgb[j + 2] = rgba[i + 2];
        }

        return new RgbImage(name, image.Width, image.Height, rgb);
    }
}
