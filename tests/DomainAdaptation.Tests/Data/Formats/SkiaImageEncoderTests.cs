using System.Buffers.Binary;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Generation;

namespace DomainAdaptation.Tests.Data.Formats;

/// <summary>The PNG encoder of MNIST-M generation (SkiaSharp's), read back by the library's own, independent decoder.</summary>
public class SkiaImageEncoderTests
{
    public static TheoryData<int, PngFilterStrategy, int, int> Cases => new()
    {
        { 3, PngFilterStrategy.Adaptive, 32, 32 },
        { 3, PngFilterStrategy.None, 7, 5 },
        { 1, PngFilterStrategy.Adaptive, 28, 28 },
        { 1, PngFilterStrategy.None, 1, 1 },
        { 4, PngFilterStrategy.Adaptive, 13, 9 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodePng_RandomImage_LibraryDecoderReadsTheSamePixels(int channels, PngFilterStrategy filter, int width, int height)
    {
        byte[] pixels = SmoothNoise(width, height, channels, seed: width * 100 + height);

        byte[] png = SkiaImageEncoder.EncodePng(pixels, width, height, channels, filter, "test.png");

        DecodedImage decoded = PngDecoder.Decode(png, "test.png");
        (decoded.Width, decoded.Height, decoded.Channels).Should().Be((width, height, channels));
        decoded.Pixels.Should().Equal(pixels);
    }

    [Fact]
    public void EncodePng_Rgb_IsAnEightBitRgbPngWithValidCrcs()
    {
        byte[] png = SkiaImageEncoder.EncodePng(SmoothNoise(32, 32, 3, seed: 1), 32, 32, 3, PngFilterStrategy.Adaptive, "test.png");

        png[..8].Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        var chunks = new List<string>();
        for (int at = 8; at < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            Crc32.Compute(png.AsSpan(at + 4, 4 + length)).Should().Be(BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)), $"the CRC of chunk {type}");
            if (type == "IHDR") png.AsSpan(at + 8, 13).ToArray().Should().Equal(0, 0, 0, 32, 0, 0, 0, 32, 8, 2, 0, 0, 0); // 8-bit RGB, not RGBA
            chunks.Add(type);
            at += 12 + length;
        }

        chunks.Should().StartWith("IHDR").And.EndWith("IEND").And.Contain("IDAT");
    }

    [Fact]
    public void EncodePng_Adaptive_IsSmallerThanNoneOnSmoothImages()
    {
        byte[] pixels = SmoothNoise(64, 64, 3, seed: 3);

        int adaptive = SkiaImageEncoder.EncodePng(pixels, 64, 64, 3, PngFilterStrategy.Adaptive, "a.png").Length;
        int none = SkiaImageEncoder.EncodePng(pixels, 64, 64, 3, PngFilterStrategy.None, "n.png").Length;

        adaptive.Should().BeLessThan(none);
    }

    [Fact]
    public void EncodePng_WrongPixelCount_ThrowsNamingTheExpectedSize()
    {
        Action act = () => SkiaImageEncoder.EncodePng(new byte[10], 2, 2, 3, PngFilterStrategy.Adaptive, "x.png");

        act.Should().Throw<ArgumentException>().WithMessage("*2×2 pixels with 3 channel(s)*needs 12 bytes, but 10 were given*");
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
