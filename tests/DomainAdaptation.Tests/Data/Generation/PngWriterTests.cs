using System.Buffers.Binary;
using System.IO.Compression;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Generation;

namespace DomainAdaptation.Tests.Data.Generation;

public class PngWriterTests
{
    public static TheoryData<int, PngFilterStrategy, int, int> Cases => new()
    {
        { (int)PngColorType.Rgb, PngFilterStrategy.Adaptive, 32, 32 },
        { (int)PngColorType.Rgb, PngFilterStrategy.None, 7, 5 },
        { (int)PngColorType.Grey, PngFilterStrategy.Adaptive, 28, 28 },
        { (int)PngColorType.Grey, PngFilterStrategy.None, 1, 1 },
        { (int)PngColorType.Rgba, PngFilterStrategy.Adaptive, 13, 9 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_RandomImage_SkiaDecodesTheSamePixels(int colorType, PngFilterStrategy filter, int width, int height)
    {
        var type = (PngColorType)colorType; // PngColorType is internal; a public theory takes its value
        int channels = PngWriter.ChannelsOf(type);
        byte[] pixels = SmoothNoise(width, height, channels, seed: width * 100 + height);
        if (type == PngColorType.Rgba)
        {
            for (int i = 3; i < pixels.Length; i += 4) pixels[i] = 255; // opaque: Skia's unpremultiplied readback is exact then
        }

        byte[] png = PngWriter.Encode(pixels, width, height, type, filter);

        (int w, int h, byte[] rgba) = SkiaPng.DecodeRgba(png);
        w.Should().Be(width);
        h.Should().Be(height);
        for (int p = 0; p < width * height; p++)
        {
            for (int c = 0; c < 4; c++)
            {
                byte expected = type switch
                {
                    PngColorType.Grey => c == 3 ? (byte)255 : pixels[p],
                    PngColorType.Rgb => c == 3 ? (byte)255 : pixels[p * 3 + c],
                    _ => pixels[p * 4 + c],
                };
                rgba[p * 4 + c].Should().Be(expected, $"pixel {p}, channel {c}");
            }
        }
    }

    [Fact]
    public void Encode_Structure_HasSignatureIhdrIdatIendWithValidCrcs()
    {
        byte[] pixels = SmoothNoise(32, 32, 3, seed: 1);

        byte[] png = PngWriter.Encode(pixels, 32, 32, PngColorType.Rgb);

        png[..8].Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        var chunks = new List<string>();
        int at = 8;
        while (at < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            Crc32.Compute(png.AsSpan(at + 4, 4 + length)).Should().Be(crc, $"the CRC of chunk {type}");
            if (type == "IHDR")
            {
                png.AsSpan(at + 8, 13).ToArray().Should().Equal(0, 0, 0, 32, 0, 0, 0, 32, 8, 2, 0, 0, 0);
            }

            if (type == "IDAT")
            {
                // The zlib stream inflates to 32 rows of (1 filter byte + 96 bytes), filter types 0–4.
                using var inflate = new ZLibStream(new MemoryStream(png, at + 8, length), CompressionMode.Decompress);
                using var raw = new MemoryStream();
                inflate.CopyTo(raw);
                raw.Length.Should().Be(32 * 97);
                for (int row = 0; row < 32; row++) raw.GetBuffer()[row * 97].Should().BeLessThanOrEqualTo(4);
            }

            chunks.Add(type);
            at += 12 + length;
        }

        chunks.Should().Equal("IHDR", "IDAT", "IEND");
        at.Should().Be(png.Length);
    }

    [Fact]
    public void Encode_Adaptive_IsSmallerThanNoneOnSmoothImages()
    {
        byte[] pixels = SmoothNoise(64, 64, 3, seed: 3);

        int adaptive = PngWriter.Encode(pixels, 64, 64, PngColorType.Rgb, PngFilterStrategy.Adaptive).Length;
        int none = PngWriter.Encode(pixels, 64, 64, PngColorType.Rgb, PngFilterStrategy.None).Length;

        adaptive.Should().BeLessThan(none);
    }

    [Fact]
    public void Encode_WrongPixelCount_ThrowsNamingTheExpectedSize()
    {
        Action act = () => PngWriter.Encode(new byte[10], 2, 2, PngColorType.Rgb);

        act.Should().Throw<ArgumentException>().WithMessage("*2×2 Rgb PNG needs 12 pixel bytes*10 were given*");
    }

    /// <summary>A smooth gradient with noise: the kind of content where prediction filters matter.</summary>
    private static byte[] SmoothNoise(int width, int height, int channels, int seed)
    {
        var random = new Random(seed);
        byte[] pixels = new byte[width * height * channels];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    pixels[(y * width + x) * channels + c] = (byte)Math.Clamp((x * 3) + (y * 2) + (c * 40) + random.Next(-4, 5), 0, 255);
                }
            }
        }

        return pixels;
    }
}
