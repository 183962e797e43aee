using DomainAdaptation.Data;
using DomainAdaptation.Data.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Transforms;

public class TransformTests
{
    private static SampleSet Images(int n, int c, int h, int w, int seed = 1)
    {
        byte[] bytes = new byte[n * c * h * w];
        new Random(seed).NextBytes(bytes);
        Tensor samples = empty([n, c, h, w], ScalarType.Byte);
        bytes.CopyTo(samples.bytes);
        return new SampleSet("test", samples, tensor(Enumerable.Range(0, n).Select(i => (long)(i % 10)).ToArray()), 10);
    }

    [Fact]
    public void GreyToRgb_RepeatsChannelAndKeepsLabels()
    {
        using SampleSet grey = Images(3, 1, 4, 5);

        using SampleSet rgb = new GreyToRgb().Apply(grey);

        rgb.Shape.Should().Be(SampleShape.Image(3, 4, 5));
        for (int c = 0; c < 3; c++) rgb.Samples[.., c].SameAs(grey.Samples[.., 0]).Should().BeTrue();
        rgb.Labels!.SameAs(grey.Labels!).Should().BeTrue();
        rgb.Labels.Should().NotBeSameAs(grey.Labels, "the output owns its own tensors");
    }

    [Fact]
    public void GreyToRgb_OnRgb_Throws()
    {
        using SampleSet rgb = Images(1, 3, 2, 2);
        Action act = () => new GreyToRgb().Apply(rgb);
        act.Should().Throw<ArgumentException>().WithMessage("*one channel*3*");
    }

    [Fact]
    public void Pad_28To32_AddsZeroBorderAndKeepsCentre()
    {
        using SampleSet digits = Images(2, 1, 28, 28);

        using SampleSet padded = new Pad(2).Apply(digits);

        padded.Shape.Should().Be(SampleShape.Image(1, 32, 32));
        padded.Samples[.., .., 2..30, 2..30].SameAs(digits.Samples).Should().BeTrue();
        padded.Samples.sum(ScalarType.Int64).item<long>().Should().Be(digits.Samples.sum(ScalarType.Int64).item<long>(), "the border is all zeros");
    }

    [Fact]
    public void Pad_AsymmetricWithValue_PlacesImage()
    {
        using SampleSet one = new("one", full(new long[] { 1, 1, 1, 1 }, 7, ScalarType.Byte), null, 0);

        using SampleSet padded = new Pad(left: 1, top: 0, right: 2, bottom: 1, value: 9).Apply(one);

        padded.Samples.shape.Should().Equal(1, 1, 2, 4);
        padded.Samples.flatten().data<byte>().ToArray().Should().Equal(9, 7, 9, 9, 9, 9, 9, 9);
    }

    [Fact]
    public void Resize_Halving_AveragesTwoByTwoBlocks()
    {
        // Bilinear, align_corners = false, scale 1/2: each output pixel samples the centre of a 2×2 block.
        byte[] values = [10, 20, 30, 40, 50, 61, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160];
        using SampleSet set = new("s", tensor(values, ScalarType.Byte).reshape(1, 1, 4, 4), null, 0);

        using SampleSet small = new Resize(2, 2).Apply(set);

        // (10+20+50+61)/4 = 35.25 → 35; (30+40+70+80)/4 = 55; (90+100+130+140)/4 = 115; (110+120+150+160)/4 = 135.
        small.Samples.flatten().data<byte>().ToArray().Should().Equal(35, 55, 115, 135);
    }

    [Fact]
    public void Resize_32To28_KeepsConstantImagesAndShape()
    {
        using SampleSet set = new("c", full(new long[] { 5000, 3, 32, 32 }, 200, ScalarType.Byte), null, 0);

        using SampleSet resized = new Resize(28, 28).Apply(set);

        resized.Samples.shape.Should().Equal(5000, 3, 28, 28);
        resized.Samples.min().item<byte>().Should().Be(200);
        resized.Samples.max().item<byte>().Should().Be(200);
    }

    [Fact]
    public void Resize_RoundsToNearest()
    {
        // A 1×2 → 1×1 resize samples the midpoint: (0 + 255) / 2 = 127.5 → 128 (half to even).
        using SampleSet set = new("r", tensor(new byte[] { 0, 255 }, ScalarType.Byte).reshape(1, 1, 1, 2), null, 0);
        using SampleSet one = new Resize(1, 1).Apply(set);
        one.Samples.item<byte>().Should().Be(128);
    }

    [Fact]
    public void Compose_GreyToRgbThenPad_GivesMnistMShape()
    {
        using SampleSet digits = Images(4, 1, 28, 28);
        var compose = new Compose(new GreyToRgb(), new Pad(2));

        compose.OutputShape(digits.Shape).Should().Be(SampleShape.Image(3, 32, 32));
        using SampleSet result = compose.Apply(digits);

        result.Shape.Should().Be(SampleShape.Image(3, 32, 32));
        result.Samples[.., 2, 2..30, 2..30].SameAs(digits.Samples[.., 0]).Should().BeTrue();
        digits.Samples.IsInvalid.Should().BeFalse("the input is left to its owner");
    }

    [Fact]
    public void Compose_InvalidChain_FailsBeforeWork()
    {
        using SampleSet rgb = Images(1, 3, 4, 4);
        Action act = () => new Compose(new Pad(1), new GreyToRgb()).Apply(rgb);
        act.Should().Throw<ArgumentException>().WithMessage("*one channel*");
    }

    [Fact]
    public void Apply_FloatSet_Throws()
    {
        using SampleSet features = new("f", zeros(4, 2), null, 0);
        Action act = () => new Pad(1).Apply(features);
        act.Should().Throw<ArgumentException>().WithMessage("*uint8 image sets*");
    }

    [Fact]
    public void TransformAndDispose_DisposesInput()
    {
        SampleSet grey = Images(2, 1, 3, 3);
        using SampleSet rgb = grey.TransformAndDispose(new GreyToRgb());
        grey.Samples.IsInvalid.Should().BeTrue();
        rgb.Shape.Channels.Should().Be(3);
    }
}
