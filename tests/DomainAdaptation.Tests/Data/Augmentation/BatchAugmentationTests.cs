using DomainAdaptation.Data.Augmentation;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Augmentation;

[Collection(TorchSerial.Name)]
public class BatchAugmentationTests
{
    private static Tensor Images() => randn([6, 3, 16, 16], generator: new Generator(1));

    [Fact]
    public void Weak_SameSeed_SameViews_OtherSeed_OtherViews()
    {
        using var scope = NewDisposeScope();
        Tensor x = Images();

        Tensor a = BatchAugmentation.Weak(x, new Generator(5));
        Tensor b = BatchAugmentation.Weak(x, new Generator(5));
        Tensor c = BatchAugmentation.Weak(x, new Generator(6));

        a.shape.Should().Equal(x.shape);
        a.Equals(b).Should().BeTrue();
        a.Equals(c).Should().BeFalse();
        a.Equals(x).Should().BeFalse("the weak view shifts the images");
    }

    [Fact]
    public void Weak_NoShiftNoFlip_IsTheIdentity()
    {
        using var scope = NewDisposeScope();
        Tensor x = Images();

        Tensor y = BatchAugmentation.Weak(x, new Generator(5), new WeakAugmentation { MaxShift = 0 });

        y.sub(x).abs().max().ToDouble().Should().BeLessThan(1e-5, "an identity warp resamples each pixel at its own centre");
    }

    [Fact]
    public void Weak_Flip_MirrorsTheImagesItFlips()
    {
        using var scope = NewDisposeScope();
        Tensor x = Images();

        Tensor y = BatchAugmentation.Weak(x, new Generator(3), new WeakAugmentation { MaxShift = 0, HorizontalFlip = true });

        int flipped = 0;
        for (int i = 0; i < 6; i++)
        {
            bool same = y[i].sub(x[i]).abs().max().ToDouble() < 1e-5;
            bool mirrored = y[i].sub(x[i].flip(2)).abs().max().ToDouble() < 1e-5;
            (same || mirrored).Should().BeTrue($"image {i} is either kept or mirrored");
            if (mirrored) flipped++;
        }

        flipped.Should().BeInRange(1, 5);
    }

    [Fact]
    public void Strong_SameSeedSameView_DiffersFromTheWeakView_KeepsShapeAndDtype()
    {
        using var scope = NewDisposeScope();
        Tensor x = Images();

        Tensor a = BatchAugmentation.Strong(x, new Generator(9));
        Tensor b = BatchAugmentation.Strong(x, new Generator(9));

        a.Equals(b).Should().BeTrue();
        a.dtype.Should().Be(x.dtype);
        a.shape.Should().Equal(x.shape);
        a.isfinite().all().ToBoolean().Should().BeTrue();
        a.sub(BatchAugmentation.Weak(x, new Generator(9))).abs().mean().ToDouble().Should().BeGreaterThan(0.1);
    }

    [Fact]
    public void Strong_BFloat16Batch_ComesBackInBFloat16()
    {
        using var scope = NewDisposeScope();
        Tensor x = Images().to_type(ScalarType.BFloat16);

        BatchAugmentation.Strong(x, new Generator(2)).dtype.Should().Be(ScalarType.BFloat16);
    }

    [Fact]
    public void ResizedCrop_WholeImageNoFlip_IsTheIdentity()
    {
        using var scope = NewDisposeScope();
        Tensor x = Images();

        Tensor y = BatchAugmentation.ResizedCrop(x, new Generator(5), new ResizedCropAugmentation { MinScale = 1, MinAspectRatio = 1, MaxAspectRatio = 1, HorizontalFlip = false });

        y.sub(x).abs().max().ToDouble().Should().BeLessThan(1e-5);
    }

    [Theory]
    [InlineData(0.25, 1.0, 7.5, 7.5)]
    [InlineData(0.0625, 1.0, 3.75, 3.75)]
    [InlineData(0.25, 4.0, 15.0, 3.75)]
    public void ResizedCrop_AreaAndRatio_EveryViewSpansItsShareOfARamp(double area, double ratio, double columnSpan, double rowSpan)
    {
        // A horizontal ramp (value = column) and a vertical one (value = row): a crop of sw of the width and sh of the
        // height (sw·sh = area, sw/sh = ratio, each at most 1), resized back to 16 × 16, spans sw · (16 − 1) columns
        // and sh · (16 − 1) rows wherever it lies. Area 0.25 at ratio 4 is clamped to the full width.
        using var scope = NewDisposeScope();
        Tensor columns = arange(16, ScalarType.Float32).view(1, 1, 1, 16).expand(6, 1, 16, 16);
        Tensor rows = arange(16, ScalarType.Float32).view(1, 1, 16, 1).expand(6, 1, 16, 16);
        Tensor x = cat([columns, rows], 1).contiguous();
        var settings = new ResizedCropAugmentation { MinScale = area, MaxScale = area, MinAspectRatio = ratio, MaxAspectRatio = ratio, HorizontalFlip = false };

        Tensor y = BatchAugmentation.ResizedCrop(x, new Generator(9), settings);

        for (int i = 0; i < 6; i++)
        {
            (y[i, 0].max() - y[i, 0].min()).ToDouble().Should().BeApproximately(columnSpan, 1e-4, $"view {i}'s columns");
            (y[i, 1].max() - y[i, 1].min()).ToDouble().Should().BeApproximately(rowSpan, 1e-4, $"view {i}'s rows");
            y[i].min().ToDouble().Should().BeGreaterThanOrEqualTo(-1e-4, "the crop lies inside the image");
            y[i].max().ToDouble().Should().BeLessThanOrEqualTo(15 + 1e-4);
        }

        if (rowSpan < 15) y[0].Equals(y[1]).Should().BeFalse("each image gets its own crop position");
    }

    [Fact]
    public void ResizedCrop_SameSeedSameViews_KeepsShapeDtypeAndMirrorsSome()
    {
        using var scope = NewDisposeScope();
        Tensor x = Images();

        Tensor a = BatchAugmentation.ResizedCrop(x, new Generator(4));
        Tensor b = BatchAugmentation.ResizedCrop(x, new Generator(4));
        Tensor c = BatchAugmentation.ResizedCrop(x, new Generator(4), new ResizedCropAugmentation { MinScale = 1, MinAspectRatio = 1, MaxAspectRatio = 1 });

        a.shape.Should().Equal(x.shape);
        a.dtype.Should().Be(x.dtype);
        a.Equals(b).Should().BeTrue();
        int mirrored = Enumerable.Range(0, 6).Count(i => c[i].sub(x[i].flip(2)).abs().max().ToDouble() < 1e-5);
        int kept = Enumerable.Range(0, 6).Count(i => c[i].sub(x[i]).abs().max().ToDouble() < 1e-5);
        (mirrored + kept).Should().Be(6);
        mirrored.Should().BeInRange(1, 5);
    }

    [Fact]
    public void ResizedCrop_Saturation_LeavesGreyImagesGrey_BrightnessShiftsThem()
    {
        using var scope = NewDisposeScope();
        Tensor grey = randn([4, 1, 8, 8], generator: new Generator(2)).expand(4, 3, 8, 8).contiguous();
        var whole = new ResizedCropAugmentation { MinScale = 1, MinAspectRatio = 1, MaxAspectRatio = 1, HorizontalFlip = false };

        Tensor saturated = BatchAugmentation.ResizedCrop(grey, new Generator(1), whole with { Saturation = 0.9 });
        Tensor brighter = BatchAugmentation.ResizedCrop(grey, new Generator(1), whole with { Brightness = 0.9 });

        saturated.sub(grey).abs().max().ToDouble().Should().BeLessThan(1e-5, "a grey image has no saturation to change");
        brighter.sub(grey).abs().max().ToDouble().Should().BeGreaterThan(1e-3);
    }

    [Fact]
    public void ResizedCrop_VectorsOrBadSettings_ThrowNamingTheProblem()
    {
        using var scope = NewDisposeScope();

        Action vectors = () => BatchAugmentation.ResizedCrop(randn(4, 5), new Generator(1));
        Action scale = () => BatchAugmentation.ResizedCrop(Images(), new Generator(1), new ResizedCropAugmentation { MinScale = 0.5, MaxScale = 0.2 });
        Action contrast = () => BatchAugmentation.ResizedCrop(Images(), new Generator(1), new ResizedCropAugmentation { Contrast = 2 });

        vectors.Should().Throw<ArgumentException>().WithMessage("*[B, C, H, W]*vectors [4, 5]*");
        scale.Should().Throw<ArgumentException>().WithMessage("*MinScale and MaxScale*0.5 and 0.2*");
        contrast.Should().Throw<ArgumentException>().WithMessage("*Contrast and Saturation in [0, 1]*");
    }

    [Fact]
    public void Weak_IntegerImages_ThrowsNamingTheShape()
    {
        FluentActions.Invoking(() => BatchAugmentation.Weak(zeros([2, 3, 4, 4], ScalarType.Byte), new Generator(1)))
            .Should().Throw<ArgumentException>().WithMessage("*floating-point images [B, C, H, W] (or vectors [B, D]), but got Byte [2, 3, 4, 4]*");
    }
}
