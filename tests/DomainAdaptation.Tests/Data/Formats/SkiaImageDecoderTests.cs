using DomainAdaptation.Data.Formats;
using DomainAdaptation.Tests.Data.Generation;

namespace DomainAdaptation.Tests.Data.Formats;

/// <summary>The library's one SkiaSharp wrapper, on a real BSDS500 JPEG and on bad bytes; the same errors for every caller.</summary>
public class SkiaImageDecoderTests
{
    [Fact]
    public void Decode_RealBsdsJpeg_GivesRgbOfItsSize()
    {
        string path = SharedDataFolder.Require("bsds500/train/100075.jpg");

        DecodedImage rgba = SkiaImageDecoder.Decode(File.ReadAllBytes(path), path, 1L << 26);
        DecodedImage image = rgba.ToRgb("100075.jpg");

        rgba.Channels.Should().Be(4);
        image.Name.Should().Be("100075.jpg");
        image.Channels.Should().Be(3);
        image[10, 20, 1].Should().Be(rgba[10, 20, 1]);
        new[] { image.Width, image.Height }.Should().BeEquivalentTo(new[] { 481, 321 });
        image.Pixels.Length.Should().Be(image.Width * image.Height * 3);
        // A photograph: many distinct values in every channel, not a blank or a single colour.
        for (int c = 0; c < 3; c++)
        {
            var values = new HashSet<byte>();
            for (int i = c; i < image.Pixels.Length; i += 3) values.Add(image.Pixels[i]);
            values.Count.Should().BeGreaterThan(100);
        }
    }

    [Fact]
    public void Decode_Garbage_ThrowsDataFormatNamingTheSource()
    {
        byte[] garbage = Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray();

        Action act = () => SkiaImageDecoder.Decode(garbage, "/data/bad.jpg", 1L << 26);

        act.Should().Throw<DataFormatException>().WithMessage("*'/data/bad.jpg'*not an image*");
    }

    [Fact]
    public void Decode_TruncatedJpeg_ThrowsDataFormatSayingTruncated()
    {
        string path = SharedDataFolder.Require("bsds500/train/100075.jpg");
        byte[] bytes = File.ReadAllBytes(path);

        Action act = () => SkiaImageDecoder.Decode(bytes[..(bytes.Length / 3)], "cut.jpg", 1L << 26);

        act.Should().Throw<DataFormatException>().WithMessage("*'cut.jpg'*truncated*");
    }

    [Fact]
    public void DescribeNativeFailure_MissingLibrary_NamesTheNativeAssetsPackage()
    {
        var missing = new DllNotFoundException("Unable to load shared library 'libSkiaSharp'");

        SkiaImageDecoder.IsNativeLoadFailure(missing).Should().BeTrue();
        SkiaImageDecoder.IsNativeLoadFailure(new TypeInitializationException("SkiaSharp.SkiaApi", missing)).Should().BeTrue();
        SkiaImageDecoder.IsNativeLoadFailure(new InvalidOperationException("unrelated")).Should().BeFalse();
        string message = SkiaImageDecoder.DescribeNativeFailure("a.jpg", missing);

        message.Should().Contain("SkiaSharp.NativeAssets.Linux").And.Contain("could not be loaded").And.Contain("libSkiaSharp");
    }

    [Fact]
    public void DescribeNativeFailure_VersionMismatch_SaysTheVersionsDisagree()
    {
        var mismatch = new InvalidOperationException("The version of the native libSkiaSharp library (88.1) is incompatible with this version of SkiaSharp.");

        // As SkiaSharp 3.119.0 throws it with 2.88.6 natives: wrapped in type initialisers.
        var thrown = new TypeInitializationException("SkiaSharp.SKObject", new TypeInitializationException("SkiaSharp.SkiaSharpVersion", mismatch));

        SkiaImageDecoder.IsNativeLoadFailure(thrown).Should().BeTrue();
        SkiaImageDecoder.DescribeNativeFailure("a.jpg", thrown).Should().Contain("does not match").And.Contain("same version").And.Contain("(88.1) is incompatible");
    }
}
