using DomainAdaptation.Data.Formats;

namespace MnistMTool;

/// <summary>PNG to interleaved 8-bit RGB through the library's managed decoder (<see cref="PngDecoder"/>).</summary>
internal static class Png
{
    public static byte[] DecodeRgb(byte[] png, out int width, out int height)
    {
        DecodedImage image = PngDecoder.Decode(png, "PNG");
        width = image.Width;
        height = image.Height;
        if (image.Channels == 3) return image.Pixels;
        byte[] rgb = new byte[width * height * 3];
        for (int p = 0; p < width * height; p++)
        {
            for (int c = 0; c < 3; c++)
            {
                rgb[(p * 3) + c] = image.Pixels[(p * image.Channels) + (image.Channels < 3 ? 0 : c)];
            }
        }

        return rgb;
    }
}
