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
    public void Weak_IntegerImages_ThrowsNamingTheShape()
    {
        FluentActions.Invoking(() => BatchAugmentation.Weak(zeros([2, 3, 4, 4], ScalarType.Byte), new Generator(1)))
            .Should().Throw<ArgumentException>().WithMessage("*floating-point images [B, C, H, W] (or vectors [B, D]), but got Byte [2, 3, 4, 4]*");
    }
}
