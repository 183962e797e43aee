using DomainAdaptation.Data;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data;

[Collection(TorchSerial.Name)]
public class SampleSetTests
{
    /// <summary>20 one-pixel samples whose value is their index; labels 0 (12 samples), 1 (6), 2 (2).</summary>
    private static SampleSet Set()
    {
        long[] labels = [.. Enumerable.Repeat(0L, 12), .. Enumerable.Repeat(1L, 6), .. Enumerable.Repeat(2L, 2)];
        Tensor samples = arange(20, ScalarType.Byte).reshape(20, 1, 1, 1);
        return new SampleSet("set", samples, tensor(labels, ScalarType.Int64), 3);
    }

    private static byte[] Values(SampleSet s) => s.Samples.flatten().data<byte>().ToArray();

    [Fact]
    public void SplitStratified_Quarter_EachClassKeepsItsShare()
    {
        using SampleSet set = Set();

        (SampleSet train, SampleSet test) = set.SplitStratified(0.25, seed: 7);
        using (train)
        using (test)
        {
            long[] testLabels = test.Labels!.data<long>().ToArray();
            testLabels.Count(l => l == 0).Should().Be(3);
            testLabels.Count(l => l == 1).Should().Be(2, "round(6 × 0.25) = 2 (away from zero)");
            testLabels.Count(l => l == 2).Should().Be(1, "a class of two gives one to each part");
            Values(train).Concat(Values(test)).Order().Should().Equal(Enumerable.Range(0, 20).Select(i => (byte)i), "every sample lands in exactly one part");
            Values(test).Should().BeInAscendingOrder("both parts keep the set's order");
            (train.Name, test.Name).Should().Be(("set train", "set test"));
            train.ClassCount.Should().Be(3);
        }
    }

    [Fact]
    public void SplitStratified_SameSeed_SameSplit_OtherSeed_Differs()
    {
        using SampleSet set = Set();

        (SampleSet a, SampleSet aTest) = set.SplitStratified(0.3, seed: 1);
        (SampleSet b, SampleSet bTest) = set.SplitStratified(0.3, seed: 1);
        (SampleSet c, SampleSet cTest) = set.SplitStratified(0.3, seed: 2);
        using (a) using (aTest) using (b) using (bTest) using (c) using (cTest)
        {
            Values(aTest).Should().Equal(Values(bTest));
            Values(aTest).Should().NotEqual(Values(cTest));
        }
    }

    [Fact]
    public void SplitStratified_Unlabelled_SplitsTheWholeSet()
    {
        using var set = new SampleSet("flat", arange(10, ScalarType.Byte).reshape(10, 1, 1, 1), null, 0);

        (SampleSet train, SampleSet test) = set.SplitStratified(0.2, seed: 3);
        using (train)
        using (test)
        {
            (train.Count, test.Count).Should().Be((8, 2));
            test.Labels.Should().BeNull();
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void SplitStratified_FractionOutsideZeroOne_Throws(double fraction)
    {
        using SampleSet set = Set();

        Action act = () => set.SplitStratified(fraction, seed: 1);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*set*strictly between 0 and 1*");
    }
}
