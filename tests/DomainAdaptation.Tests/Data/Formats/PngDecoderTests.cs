using System.Buffers.Binary;
using DomainAdaptation.Data.Formats;

namespace DomainAdaptation.Tests.Data.Formats;

public class PngDecoderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Decode_EachFilterType_ReproducesPixels(int filter)
    {
        byte[] pixels = TestPng.RandomBytes(13 * 7 * 3, seed: filter);
        byte[] png = TestPng.Encode8(13, 7, colorType: 2, pixels, _ => filter);

        DecodedImage image = PngDecoder.Decode(png, "rgb.png");

        image.Width.Should().Be(13);
        image.Height.Should().Be(7);
        image.Channels.Should().Be(3);
        image.Pixels.Should().Equal(pixels);
    }

    [Fact]
    public void Decode_MixedFiltersPerRowAndSplitIdat_ReproducesPixels()
    {
        byte[] pixels = TestPng.RandomBytes(9 * 11 * 4, seed: 7);
        byte[] png = TestPng.Encode(9, 11, colorType: 6, bitDepth: 8, pixels, y => y % 5, idatChunks: 4);

        PngDecoder.Decode(png, "rgba.png").Pixels.Should().Equal(pixels);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(4, 2)]
    public void Decode_GreyAndGreyAlpha8Bit_KeepsChannels(int colorType, int channels)
    {
        byte[] pixels = TestPng.RandomBytes(5 * 4 * channels, seed: 3);
        DecodedImage image = PngDecoder.Decode(TestPng.Encode8(5, 4, colorType, pixels, y => 4 - y), "g.png");

        image.Channels.Should().Be(channels);
        image.Pixels.Should().Equal(pixels);
    }

    [Theory]
    [InlineData(1, 255)]
    [InlineData(2, 85)]
    [InlineData(4, 17)]
    public void Decode_LowBitDepthGrey_ScalesTo255(int depth, int scale)
    {
        int max = (1 << depth) - 1;
        int width = 10, height = 3;
        int[] values = Enumerable.Range(0, width * height).Select(i => (i * 7) % (max + 1)).ToArray();
        byte[] packed = Pack(values, width, height, depth);

        DecodedImage image = PngDecoder.Decode(TestPng.Encode(width, height, 0, depth, packed, y => y % 5), "low.png");

        image.Pixels.Should().Equal(values.Select(v => (byte)(v * scale)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Decode_Palette_ExpandsToRgb(int depth)
    {
        int entries = Math.Min(1 << depth, 6);
        byte[] palette = TestPng.RandomBytes(entries * 3, seed: depth);
        int width = 7, height = 5;
        int[] indices = Enumerable.Range(0, width * height).Select(i => (i * 5) % entries).ToArray();

        DecodedImage image = PngDecoder.Decode(TestPng.Encode(width, height, 3, depth, Pack(indices, width, height, depth), palette: palette), "pal.png");

        image.Channels.Should().Be(3);
        image.Pixels.Should().Equal(indices.SelectMany(i => new[] { palette[i * 3], palette[(i * 3) + 1], palette[(i * 3) + 2] }));
    }

    [Fact]
    public void Decode_PaletteWithTransparency_AddsAlpha()
    {
        byte[] palette = [10, 20, 30, 40, 50, 60, 70, 80, 90];
        byte[] transparency = [0, 128];
        int[] indices = [0, 1, 2, 1];

        DecodedImage image = PngDecoder.Decode(TestPng.Encode(2, 2, 3, 8, indices.Select(i => (byte)i).ToArray(), palette: palette, transparency: transparency), "t.png");

        image.Channels.Should().Be(4);
        image.Pixels.Should().Equal(10, 20, 30, 0, 40, 50, 60, 128, 70, 80, 90, 255, 40, 50, 60, 128);
    }

    [Fact]
    public void Decode_16BitRgb_RoundsTo8Bit()
    {
        ushort[] values = [0, 65535, 257, 128, 32896, 1000];
        byte[] packed = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16BigEndian(packed.AsSpan(2 * i), values[i]);

        DecodedImage image = PngDecoder.Decode(TestPng.Encode(2, 1, 2, 16, packed, _ => 1), "16.png");

        image.Pixels.Should().Equal(values.Select(v => (byte)Math.Round(v * 255.0 / 65535.0)));
    }

    [Fact]
    public void CopyToPlanar_RgbToGreyAndGreyToRgb_ConvertsChannels()
    {
        var rgb = new DecodedImage(2, 1, 3, [255, 0, 0, 10, 20, 30]);
        var planarGrey = new byte[2];
        rgb.CopyToPlanar(planarGrey, 1);
        planarGrey.Should().Equal(76, 18); // (299·255 + 500)/1000 = 76; (2990 + 11740 + 3420 + 500)/1000 = 18

        var planarRgb = new byte[6];
        rgb.CopyToPlanar(planarRgb, 3);
        planarRgb.Should().Equal(255, 10, 0, 20, 0, 30);

        var grey = new DecodedImage(2, 1, 1, [7, 9]);
        var repeated = new byte[6];
        grey.CopyToPlanar(repeated, 3);
        repeated.Should().Equal(7, 9, 7, 9, 7, 9);
    }

    [Fact]
    public void Decode_NotAPng_ThrowsNamingFile()
    {
        Action act = () => PngDecoder.Decode("GIF89a-not-a-png"u8.ToArray(), "x.gif");
        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == "x.gif" && e.Message.Contains("not a PNG"));
    }

    [Fact]
    public void Decode_Truncated_ThrowsTruncated()
    {
        byte[] png = TestPng.Encode8(8, 8, 2, TestPng.RandomBytes(192, 1));
        foreach (int cut in new[] { 9, 30, png.Length / 2, png.Length - 5 })
        {
            Action act = () => PngDecoder.Decode(png.AsSpan(0, cut).ToArray(), "cut.png");
            act.Should().Throw<DataFormatException>().WithMessage("*cut.png*truncated*", $"cut at {cut} of {png.Length}");
        }
    }

    [Fact]
    public void Decode_BadCrc_ThrowsWhenVerifying()
    {
        byte[] png = TestPng.Encode8(4, 4, 0, TestPng.RandomBytes(16, 2));
        png[8 + 8 + 3] ^= 0x01; // a byte inside IHDR's data (width), CRC now wrong

        Action act = () => PngDecoder.Decode(png, "crc.png");

        act.Should().Throw<DataFormatException>().WithMessage("*IHDR*CRC-32*");
    }

    [Fact]
    public void Decode_CorruptCompressedData_ThrowsNamingFile()
    {
        byte[] png = TestPng.Encode8(16, 16, 0, TestPng.RandomBytes(256, 3));
        int idat = IndexOf(png, "IDAT"u8);
        for (int i = idat + 6; i < idat + 20; i++) png[i] ^= 0x5A;

        Action act = () => PngDecoder.Decode(png, "z.png", verifyChecksums: false);

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == "z.png");
    }

    [Fact]
    public void Decode_TooLittleImageData_ThrowsTruncatedData()
    {
        // A valid zlib stream of one row only, under a header that promises two rows.
        byte[] oneRow = TestPng.Encode8(4, 1, 0, [1, 2, 3, 4]);
        byte[] png = (byte[])oneRow.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16 + 4), 2);

        Action act = () => PngDecoder.Decode(png, "short.png", verifyChecksums: false);

        act.Should().Throw<DataFormatException>().WithMessage("*image data are truncated*");
    }

    [Fact]
    public void Decode_Interlaced_ThrowsNotSupported()
    {
        byte[] png = TestPng.Encode(4, 4, 0, 8, new byte[16], interlace: true);
        Action act = () => PngDecoder.Decode(png, "adam7.png");
        act.Should().Throw<DataFormatException>().WithMessage("*interlaced*not support*");
    }

    [Fact]
    public void Decode_BadFilterByte_Throws()
    {
        byte[] png = TestPng.Encode8(3, 2, 0, [1, 2, 3, 4, 5, 6], y => y == 1 ? 9 : 0);
        Action act = () => PngDecoder.Decode(png, "f.png");
        act.Should().Throw<DataFormatException>().WithMessage("*row 1*filter type 9*");
    }

    [Fact]
    public void Decode_PaletteIndexOutOfRange_Throws()
    {
        byte[] png = TestPng.Encode(2, 1, 3, 8, [0, 5], palette: [1, 2, 3, 4, 5, 6]);
        Action act = () => PngDecoder.Decode(png, "p.png");
        act.Should().Throw<DataFormatException>().WithMessage("*palette index 5*2 entries*");
    }

    [Fact]
    public void Decode_TooManyPixels_ThrowsBeforeInflating()
    {
        byte[] png = TestPng.Encode8(4, 4, 0, new byte[16]);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 100_000);

        Action act = () => PngDecoder.Decode(png, "huge.png", verifyChecksums: false);

        act.Should().Throw<DataFormatException>().WithMessage("*more than the limit*");
    }

    [Fact]
    public void Decode_MissingIend_ThrowsTruncated()
    {
        byte[] png = TestPng.Encode8(2, 2, 0, [1, 2, 3, 4]);
        Action act = () => PngDecoder.Decode(png.AsSpan(0, png.Length - 12).ToArray(), "noend.png");
        act.Should().Throw<DataFormatException>().WithMessage("*no IEND*");
    }

    private static byte[] Pack(int[] values, int width, int height, int depth)
    {
        int rowBytes = ((width * depth) + 7) / 8;
        var packed = new byte[rowBytes * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int bit = x * depth;
                packed[(y * rowBytes) + (bit / 8)] |= (byte)(values[(y * width) + x] << (8 - depth - (bit % 8)));
            }
        }

        return packed;
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
