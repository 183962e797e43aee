using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace DomainAdaptation.Data.Formats;

/// <summary>
/// Decodes JPEG, BMP, GIF, WebP (anything but PNG) through SkiaSharp's managed API, which TorchSharp already
/// references: the library's one SkiaSharp wrapper (the image folders, image lists and the BSDS500 reader of the
/// MNIST-M generator all decode here, with the same errors). SkiaSharp's native library is not part of the
/// DomainAdaptation package: when it is missing, <see cref="SkiaSharpUnavailableException"/> says which package to add.
/// </summary>
internal static class SkiaImageDecoder
{
    /// <summary>True for the exceptions SkiaSharp raises when libSkiaSharp is missing, unloadable or of another version.</summary>
    internal static bool IsNativeLoadFailure(Exception ex) => ex switch
    {
        DllNotFoundException or EntryPointNotFoundException or BadImageFormatException => true,
        TypeInitializationException t => t.InnerException is null || IsNativeLoadFailure(t.InnerException) || t.TypeName?.StartsWith("SkiaSharp", StringComparison.Ordinal) == true,
        InvalidOperationException i => i.Message.Contains("libSkiaSharp", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>The message for a native load failure: the file, what is missing or mismatched, and which package to add.</summary>
    /// <param name="path">The file being decoded.</param>
    /// <param name="ex">SkiaSharp's loader error.</param>
    /// <param name="action">What was being done to the file ("Decoding", "Writing").</param>
    internal static string DescribeNativeFailure(string path, Exception ex, string action = "Decoding")
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
        return $"{action} '{path}' needs SkiaSharp, but {cause} ({RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}; " +
               $"managed SkiaSharp {managed}). The DomainAdaptation package decodes PNG itself but leaves JPEG, BMP, GIF and WebP to SkiaSharp " +
               $"and does not ship SkiaSharp's native assets. Add the package {assets} to the application project, with the same version as the " +
               "SkiaSharp package it resolves (for example SkiaSharp 3.119.0 with SkiaSharp.NativeAssets.Linux 3.119.0, or 2.88.6 with 2.88.6), " +
               $"and rebuild — or convert the images to PNG. Loader error: {ex.GetBaseException().Message}";
    }

    /// <summary>Decodes an image file's bytes to 8-bit RGBA.</summary>
    /// <param name="data">The file's bytes.</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="maxPixels">The largest width × height accepted.</param>
    /// <returns>The image with 4 interleaved channels (RGBA, unpremultiplied).</returns>
    /// <exception cref="DataFormatException">When the bytes are not a readable image.</exception>
    /// <exception cref="SkiaSharpUnavailableException">When SkiaSharp's native library is missing or mismatched.</exception>
    public static DecodedImage Decode(byte[] data, string path, long maxPixels)
    {
        if (KnownFormat(data) is null)
        {
            // Not an image at all: say so from the bytes, before SkiaSharp (whose native library may be missing) is involved.
            string head = Convert.ToHexString(data.AsSpan(0, Math.Min(8, data.Length)));
            throw new DataFormatException(path, $"is not an image: its first bytes ({head}) are no PNG, JPEG, BMP, GIF or WebP signature{(LooksLikeText(data) ? " (it looks like text)" : "")}.");
        }

        try
        {
            return DecodeCore(data, path, maxPixels);
        }
        catch (Exception ex) when (IsNativeLoadFailure(ex))
        {
            throw new SkiaSharpUnavailableException(DescribeNativeFailure(path, ex), ex);
        }
    }

    /// <summary>
    /// Reads an image's size from its header without decoding the pixels (the codec is created, no pixel is read);
    /// the channel count is that of <see cref="Decode"/>'s output, always 4 (RGBA).
    /// </summary>
    /// <param name="data">The file's bytes.</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="maxPixels">The largest width × height accepted.</param>
    /// <returns>Width, height and 4.</returns>
    /// <exception cref="DataFormatException">When the bytes are not an image Skia can read.</exception>
    /// <exception cref="SkiaSharpUnavailableException">When SkiaSharp's native library is missing or mismatched.</exception>
    public static (int Width, int Height, int Channels) Probe(byte[] data, string path, long maxPixels)
    {
        if (KnownFormat(data) is null)
        {
            Decode(data, path, maxPixels); // throws the "is not an image" error with the file's first bytes
        }

        try
        {
            return ProbeCore(data, path, maxPixels);
        }
        catch (Exception ex) when (IsNativeLoadFailure(ex))
        {
            throw new SkiaSharpUnavailableException(DescribeNativeFailure(path, ex), ex);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (int Width, int Height, int Channels) ProbeCore(byte[] data, string path, long maxPixels)
    {
        using SKData skData = SKData.CreateCopy(data);
        using SKCodec? codec = SKCodec.Create(skData);
        if (codec is null) throw new DataFormatException(path, "is not an image that can be read (PNG, JPEG, BMP, GIF or WebP expected), or it is damaged.");
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0 || (long)width * height > maxPixels)
        {
            throw new DataFormatException(path, $"is {width}×{height} pixels; images must have 1 to {maxPixels:N0} pixels.");
        }

        return (width, height, 4);
    }

    /// <summary>The image format the leading bytes announce (PNG, JPEG, BMP, GIF, WebP), or null for none of them.</summary>
    internal static string? KnownFormat(ReadOnlySpan<byte> data) => data switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "PNG",
        [0xFF, 0xD8, 0xFF, ..] => "JPEG",
        [(byte)'B', (byte)'M', ..] => "BMP",
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => "GIF",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "WebP",
        _ => null,
    };

    private static bool LooksLikeText(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> head = data[..Math.Min(64, data.Length)];
        foreach (byte b in head)
        {
            if (b < 0x09 || (b > 0x0D && b < 0x20)) return false;
        }

        return head.Length > 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static DecodedImage DecodeCore(byte[] data, string path, long maxPixels)
    {
        (byte[] Rgba, int Width, int Height, SKCodecResult Result)? decoded = DecodeRgba(data, (width, height) =>
        {
            if (width <= 0 || height <= 0 || (long)width * height > maxPixels)
            {
                throw new DataFormatException(path, $"is {width}×{height} pixels; images must have 1 to {maxPixels:N0} pixels.");
            }
        });
        if (decoded is not { } image)
        {
            throw new DataFormatException(path, "is not an image that can be read (PNG, JPEG, BMP, GIF or WebP expected), or it is damaged.");
        }

        if (image.Result != SKCodecResult.Success)
        {
            throw new DataFormatException(path, image.Result == SKCodecResult.IncompleteInput
                ? "is truncated: the image data end before the last row. Obtain the file again."
                : $"could not be decoded ({image.Result}); the file is damaged or uses an unsupported variant.");
        }

        return new DecodedImage(image.Width, image.Height, 4, image.Rgba);
    }

    /// <summary>
    /// The SkiaSharp decode (the library's only one; the BSDS500 reader and the image folders both go through
    /// <see cref="Decode"/>): the codec reads
    /// the header, <paramref name="checkSize"/> sees the size before any pixel memory is allocated (it throws to refuse),
    /// and the pixels are decoded straight into a pinned managed buffer of tight RGBA rows, unpremultiplied. Uses only
    /// API that SkiaSharp 2.88 and 3.x share (<c>SKBitmap.GetPixelSpan</c> is gone in 3.x), so the library runs on either.
    /// </summary>
    /// <param name="data">The encoded bytes.</param>
    /// <param name="checkSize">Validates (width, height); throws the caller's exception to refuse.</param>
    /// <returns>The pixels, size and codec result (the caller decides what a result other than Success means); null when the bytes are not an image Skia recognises.</returns>
    internal static (byte[] Rgba, int Width, int Height, SKCodecResult Result)? DecodeRgba(byte[] data, Action<int, int> checkSize)
    {
        using SKData skData = SKData.CreateCopy(data);
        using SKCodec? codec = SKCodec.Create(skData);
        if (codec is null) return null;

        int width = codec.Info.Width, height = codec.Info.Height;
        checkSize(width, height);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var pixels = new byte[(long)info.RowBytes * height];
        SKCodecResult result;
        var pin = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try
        {
            result = codec.GetPixels(info, pin.AddrOfPinnedObject());
        }
        finally
        {
            pin.Free();
        }

        return (pixels, width, height, result);
    }
}
