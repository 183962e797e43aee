using DomainAdaptation.Data.Generation;

namespace DomainAdaptation.Tests.Data.Generation;

public class JpegDecoderTests
{
    [Fact]
    public void Decode_RealBsdsJpeg_GivesRgbOfItsSize()
    {
        string path = SharedDataFolder.Require("bsds500/train/100075.jpg");

        RgbImage image = JpegDecoder.Decode(path, "100075.jpg", File.ReadAllBytes(path));

        image.Name.Should().Be("100075.jpg");
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
    public void Decode_Garbage_ThrowsInvalidDataNamingTheSource()
    {
        byte[] garbage = Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray();

        Action act = () => JpegDecoder.Decode("/data/bad.jpg", "bad.jpg", garbage);

        act.Should().Throw<InvalidDataException>().WithMessage("*'/data/bad.jpg'*not an image*");
    }

    [Fact]
    public void Decode_TruncatedJpeg_ThrowsInvalidData()
    {
        string path = SharedDataFolder.Require("bsds500/train/100075.jpg");
        byte[] bytes = File.ReadAllBytes(path);

        Action act = () => JpegDecoder.Decode("cut.jpg", "cut.jpg", bytes[..(bytes.Length / 3)]);

        act.Should().Throw<InvalidDataException>().WithMessage("*'cut.jpg'*");
    }

    [Fact]
    public void DescribeNativeFailure_MissingLibrary_NamesTheNativeAssetsPackage()
    {
        var missing = new DllNotFoundException("Unable to load shared library 'libSkiaSharp'");

        JpegDecoder.IsNativeLoadFailure(missing).Should().BeTrue();
        JpegDecoder.IsNativeLoadFailure(new TypeInitializationException("SkiaSharp.SkiaApi", missing)).Should().BeTrue();
        JpegDecoder.IsNativeLoadFailure(new InvalidOperationException("unrelated")).Should().BeFalse();
        string message = JpegDecoder.DescribeNativeFailure(missing);

        message.Should().Contain("SkiaSharp.NativeAssets.Linux").And.Contain("could not be loaded").And.Contain("libSkiaSharp");
    }

    [Fact]
    public void DescribeNativeFailure_VersionMismatch_SaysTheVersionsDisagree()
    {
        var mismatch = new InvalidOperationException("The version of the native libSkiaSharp library (88.1) is incompatible with this version of SkiaSharp.");

        // As SkiaSharp 3.119.0 throws it with 2.88.6 natives: wrapped in type initialisers.
        var thrown = new TypeInitializationException("SkiaSharp.SKObject", new TypeInitializationException("SkiaSharp.SkiaSharpVersion", mismatch));

        JpegDecoder.IsNativeLoadFailure(thrown).Should().BeTrue();
        JpegDecoder.DescribeNativeFailure(thrown).Should().Contain("does not match").And.Contain("same version").And.Contain("(88.1) is incompatible");
    }
}
