using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DomainAdaptation.Data.Generation;
using SkiaSharp;

namespace DomainAdaptation.Data.Formats;

/// <summary>
/// Encodes 8-bit grey, RGB or RGBA pixels as PNG through SkiaSharp's encoder (libpng, zlib level 6): what MNIST-M
/// generation writes. It replaced a hand-written encoder that was 1.3× slower (docs/dependencies.md); generation needs
/// SkiaSharp's native library anyway, for the BSDS500 JPEGs, so writing through it costs users nothing. RGB is
/// written from an opaque RGBA bitmap (Skia has no 24-bit colour type), which Skia stores as an RGB PNG.
/// </summary>
internal static class SkiaImageEncoder
{
    /// <summary>Encodes an image to PNG bytes.</summary>
    /// <param name="pixels">Interleaved pixels, row-major, <c>height × width × channels</c> bytes (HWC).</param>
    /// <param name="width">Width in pixels, 1 or more.</param>
    /// <param name="height">Height in pixels, 1 or more.</param>
    /// <param name="channels">1 (grey), 3 (RGB) or 4 (RGBA, unpremultiplied).</param>
    /// <param name="filter">The row filters Skia may choose from: all five, or None only.</param>
    /// <param name="path">The file the bytes are for, for messages.</param>
    /// <returns>The PNG file's bytes.</returns>
    /// <exception cref="ArgumentException">When the sizes, the channel count or the pixel count do not fit.</exception>
    /// <exception cref="SkiaSharpUnavailableException">When SkiaSharp's native library is missing or mismatched.</exception>
    public static byte[] EncodePng(ReadOnlySpan<byte> pixels, int width, int height, int channels, PngFilterStrategy filter, string path)
    {
        if (width < 1 || height < 1 || channels is not (1 or 3 or 4) || pixels.Length != (long)width * height * channels)
        {
            throw new ArgumentException($"A PNG of {width}×{height} pixels with {channels} channel(s) (1, 3 or 4) needs {(long)width * height * channels} bytes, but {pixels.Length} were given.", nameof(pixels));
        }

        try
        {
            return EncodeCore(pixels, width, height, channels, filter, path);
        }
        catch (Exception ex) when (SkiaImageDecoder.IsNativeLoadFailure(ex))
        {
            throw new SkiaSharpUnavailableException(SkiaImageDecoder.DescribeNativeFailure(path, ex, "Writing"), ex);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] EncodeCore(ReadOnlySpan<byte> pixels, int width, int height, int channels, PngFilterStrategy filter, string path)
    {
        byte[] buffer;
        SKImageInfo info;
        switch (channels)
        {
            case 1:
                buffer = pixels.ToArray();
                info = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
                break;
            case 3:
                buffer = new byte[width * height * 4];
                for (int i = 0, j = 0; i < pixels.Length; i += 3, j += 4)
                {
                    buffer[j] = pixels[i];
                    buffer[j + 1] = pixels[i + 1];
                    buffer[j + 2] = pixels[i + 2];
                    buffer[j + 3] = 255;
                }

                info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
                break;
            default:
                buffer = pixels.ToArray();
                info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
                break;
        }

        var options = new SKPngEncoderOptions(filter == PngFilterStrategy.None ? SKPngEncoderFilterFlags.None : SKPngEncoderFilterFlags.AllFilters, 6);
        GCHandle pin = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, pin.AddrOfPinnedObject());
            using SKData png = pixmap.Encode(options) ?? throw new InvalidOperationException($"SkiaSharp could not encode '{path}' as PNG ({width}×{height}, {channels} channel(s)).");
            return png.ToArray();
        }
        finally
        {
            pin.Free();
        }
    }
}
