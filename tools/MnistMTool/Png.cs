using System.Runtime.InteropServices;
using SkiaSharp;

namespace MnistMTool;

/// <summary>PNG decoding for the harness, through SkiaSharp.</summary>
internal static class Png
{
    public static byte[] DecodeRgb(byte[] png, out int width, out int height)
    {
        using SKData data = SKData.CreateCopy(png);
        using SKCodec codec = SKCodec.Create(data) ?? throw new InvalidDataException("not a PNG");
        width = codec.Info.Width;
        height = codec.Info.Height;
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        byte[] rgba = new byte[info.BytesSize];
        GCHandle pin = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            if (codec.GetPixels(info, pin.AddrOfPinnedObject()) != SKCodecResult.Success) throw new InvalidDataException("PNG decode failed");
        }
        finally
        {
            pin.Free();
        }

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
