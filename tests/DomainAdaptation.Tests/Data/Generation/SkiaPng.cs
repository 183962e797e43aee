using System.Runtime.InteropServices;
using SkiaSharp;

namespace DomainAdaptation.Tests.Data.Generation;

/// <summary>An independent decoder for checking written PNGs: SkiaSharp (libpng inside Skia) to RGBA, unpremultiplied.</summary>
internal static class SkiaPng
{
    public static (int Width, int Height, byte[] Rgba) DecodeRgba(byte[] png)
    {
        using SKData data = SKData.CreateCopy(png);
        using SKCodec codec = SKCodec.Create(data) ?? throw new InvalidDataException("SkiaSharp cannot decode the PNG.");
        codec.EncodedFormat.Should().Be(SKEncodedImageFormat.Png);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        byte[] rgba = new byte[info.BytesSize];
        GCHandle pin = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            codec.GetPixels(info, pin.AddrOfPinnedObject()).Should().Be(SKCodecResult.Success);
        }
        finally
        {
            pin.Free();
        }

        return (info.Width, info.Height, rgba);
    }

    public static byte[] DecodeRgb(byte[] png, out int width, out int height)
    {
        (width, height, byte[] rgba) = DecodeRgba(png);
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = rgba[i];
            rgb[j + 1] = rgba[i + 1];
            rgb[j + 2] = rgba[i + 2];
        }

        return rgb;
    }
}
