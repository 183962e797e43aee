using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Tests.TestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Batching;

public class ChannelNormalisationTests
{
    [Fact]
    public void Compute_Uint8Images_MeanAndStdPerChannelOnTheZeroOneScale()
    {
        // Two 2-channel 1×2 images. Channel 0 values 0, 255, 51, 102; channel 1 all 10 except one 20.
        byte[] pixels = [0, 255, 10, 10, 51, 102, 10, 20];
        using var set = new SampleSet("tiny", tensor(pixels, [2, 2, 1, 2]), null, 0);

        ChannelNormalisation n = ChannelNormalisation.Compute(set);

        double[] c0 = [0 / 255.0, 255 / 255.0, 51 / 255.0, 102 / 255.0];
        double[] c1 = [10 / 255.0, 10 / 255.0, 10 / 255.0, 20 / 255.0];
        n.Mean[0].Should().BeApproximately(c0.Average(), 1e-12);
        n.Mean[1].Should().BeApproximately(c1.Average(), 1e-12);
        n.Std[0].Should().BeApproximately(PopulationStd(c0), 1e-12);
        n.Std[1].Should().BeApproximately(PopulationStd(c1), 1e-12);
    }

    [Fact]
    public void OverBothDomains_PooledStatistics_EqualThoseOfTheConcatenatedSets()
    {
        var random = new Random(3);
        byte[] Bytes(int n) => Enumerable.Range(0, n).Select(_ => (byte)random.Next(256)).ToArray();
        // 5,000 source and 3,000 target images so the chunked sums cross a chunk boundary.
        using var data = new DomainDataset(
            "random",
            new SampleSet("s", tensor(Bytes(5000 * 3 * 2 * 2), [5000, 3, 2, 2]), zeros(5000, ScalarType.Int64), 1),
            new SampleSet("t", tensor(Bytes(3000 * 3 * 2 * 2), [3000, 3, 2, 2]), null, 0));

        ChannelNormalisation n = ChannelNormalisation.OverBothDomains(data);

        Tensor all = cat([data.Source.Samples, data.Target.Samples], 0).to_type(ScalarType.Float64).div(255.0).transpose(0, 1).reshape(3, -1);
        double[] mean = all.mean([1]).data<double>().ToArray();
        double[] std = all.std(1, unbiased: false).data<double>().ToArray();
        for (int c = 0; c < 3; c++)
        {
            n.Mean[c].Should().BeApproximately(mean[c], 1e-12);
            n.Std[c].Should().BeApproximately(std[c], 1e-12);
        }
    }

    [Fact]
    public void MeanOverBothDomains_StdIsOne_LikeTheReferenceTensorFlowCode()
    {
        using var data = SyntheticData.Blobs(20, 20, features: 2, classes: 2, seed: 1);

        ChannelNormalisation n = ChannelNormalisation.MeanOverBothDomains(data);

        n.Std.Should().Equal(1.0, 1.0);
        n.Mean.Should().Equal(ChannelNormalisation.OverBothDomains(data).Mean);
    }

    [Fact]
    public void Compute_ConstantChannel_ThrowsNamingTheChannel()
    {
        using var set = new SampleSet("flat", full(4, 2, 3, 3, (byte)7, ScalarType.Byte), null, 0);

        FluentActions.Invoking(() => ChannelNormalisation.Compute(set)).Should().Throw<InvalidOperationException>().WithMessage("Channel 0 is constant*'flat'*");
    }

    [Fact]
    public void Ctor_InvalidValues_Throw()
    {
        FluentActions.Invoking(() => new ChannelNormalisation([0.5], [0.1, 0.2])).Should().Throw<ArgumentException>().WithMessage("*1 means and 2 stds*");
        FluentActions.Invoking(() => new ChannelNormalisation([0.5], [0.0])).Should().Throw<ArgumentException>().WithMessage("*std of channel 0*positive*");
        FluentActions.Invoking(() => new ChannelNormalisation([double.NaN], [1.0])).Should().Throw<ArgumentException>().WithMessage("*mean of channel 0 must be finite*");
    }

    private static double PopulationStd(double[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
    }
}
