using DomainAdaptation.Data;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Generation;

namespace DomainAdaptation.Tests.Data.Generation;

/// <summary>The generator's output, written in the release layout, reads back through the MNIST-M reader unchanged.</summary>
public class GeneratorRoundTripTests
{
    [Fact]
    public async Task WriteAsync_RealDigitsAndBackgrounds_RoundTripsThroughMnistMReader()
    {
        const int count = 40;
        using SampleSet digits = MnistIdx.Load(
            TestData.PathOf("mnist", "t10k-images-idx3-ubyte.gz"), TestData.PathOf("mnist", "t10k-labels-idx1-ubyte.gz"), "MNIST test")
            is var all ? new SampleSet("MNIST test (first 40)", all.Samples.narrow(0, 0, count).clone(), all.Labels!.narrow(0, 0, count).clone(), 10) : null!;
        BackgroundImages backgrounds = Bsds500Images.LoadFolder(TestData.PathOf("bsds500", "train"));
        var generator = new MnistMGenerator(new MnistMGeneratorOptions { Seed = 7 });
        using SampleSet generated = generator.Generate(digits, backgrounds);

        string folder = Path.Combine(Path.GetTempPath(), "da-roundtrip-" + Guid.NewGuid().ToString("N"));
        try
        {
            await generator.WriteAsync(digits, backgrounds, folder, MnistMSplit.Test);
            using SampleSet read = MnistM.Load(folder, DataSplit.Test, new DataLoadOptions { UseCache = false });

            read.Count.Should().Be(count);
            read.Shape.Should().Be(SampleShape.Image(3, 32, 32));
            read.Samples.contiguous().data<byte>().ToArray().SequenceEqual(generated.Samples.contiguous().data<byte>().ToArray()).Should().BeTrue("the PNGs must decode to exactly the generated pixels");
            read.Labels!.data<long>().ToArray().Should().Equal(digits.Labels!.data<long>().ToArray(), "the label file must list the digits' labels in order");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
