using DomainAdaptation.Data.Batching;

namespace DomainAdaptation.Tests.Data.Batching;

public class DomainBatchSamplerTests
{
    [Fact]
    public void EpochOrder_PinnedSeeds_MatchIndependentPythonImplementation()
    {
        // The same SplitMix64 mixing and Fisher–Yates with Lemire's bounded integers, written independently in Python
        // (see docs/training.md): the data order of a seed must never change between library versions or runtimes.
        new DomainBatchSampler(10, 7, 2, seed: 42).SourceEpochOrder(0).Should().Equal(1, 4, 2, 0, 8, 6, 7, 9, 5, 3);
        new DomainBatchSampler(10, 7, 2, seed: 42).TargetEpochOrder(1).Should().Equal(2, 4, 5, 3, 1, 0, 6);
        new DomainBatchSampler(12, 5, 2, seed: -5).SourceEpochOrder(3).Should().Equal(7, 5, 11, 10, 2, 9, 0, 4, 3, 6, 1, 8);
    }

    [Fact]
    public void IndicesAt_SameSeedAndStep_SameIndicesWhateverWasAskedBefore()
    {
        var sequential = new DomainBatchSampler(100, 37, 16, seed: 3);
        var expected = Enumerable.Range(0, 40).Select(s => sequential.IndicesAt(s)).ToList();

        var positioned = new DomainBatchSampler(100, 37, 16, seed: 3);
        foreach (int step in new[] { 39, 0, 17, 5, 38, 6, 20, 1 })
        {
            DomainBatchIndices actual = positioned.IndicesAt(step);
            actual.Source.Should().Equal(expected[step].Source, $"source indices of step {step}");
            actual.Target.Should().Equal(expected[step].Target, $"target indices of step {step}");
            actual.Step.Should().Be(step);
        }
    }

    [Fact]
    public void IndicesAt_DifferentSeeds_DifferentOrder()
    {
        var a = new DomainBatchSampler(100, 100, 32, seed: 1).IndicesAt(0);
        var b = new DomainBatchSampler(100, 100, 32, seed: 2).IndicesAt(0);

        a.Source.Should().NotEqual(b.Source);
        a.Target.Should().NotEqual(b.Target);
    }

    [Fact]
    public void IndicesAt_SourceAndTarget_ShuffledIndependently()
    {
        var indices = new DomainBatchSampler(50, 50, 50, seed: 8).IndicesAt(0);

        indices.Source.Should().NotEqual(indices.Target);
    }

    [Fact]
    public void IndicesAt_OneEpochOfLargerDomain_EverySampleExactlyOnce()
    {
        var sampler = new DomainBatchSampler(120, 45, 12, seed: 5);
        sampler.StepsPerEpoch.Should().Be(10);

        long[] seen = Enumerable.Range(0, 10).SelectMany(s => sampler.IndicesAt(s).Source).ToArray();

        seen.Should().HaveCount(120).And.OnlyHaveUniqueItems();
        seen.Order().Should().Equal(Enumerable.Range(0, 120).Select(i => (long)i));
    }

    [Fact]
    public void IndicesAt_SmallerDomain_CyclesWithoutReplacementWithinEachEpoch()
    {
        var sampler = new DomainBatchSampler(120, 30, 10, seed: 5);

        var epochs = Enumerable.Range(0, 4)
            .Select(e => Enumerable.Range(3 * e, 3).SelectMany(s => sampler.IndicesAt(s).Target).ToArray())
            .ToList();

        foreach (long[] epoch in epochs)
        {
            epoch.Order().Should().Equal(Enumerable.Range(0, 30).Select(i => (long)i), "each pass over the smaller domain holds every sample once");
        }

        epochs.Select(e => string.Join(",", e)).Should().OnlyHaveUniqueItems("each epoch of the smaller domain is shuffled afresh");
    }

    [Fact]
    public void IndicesAt_BatchStraddlingAnEpochBoundary_EndsOneEpochAndStartsTheNext()
    {
        var sampler = new DomainBatchSampler(25, 25, 10, seed: 13);
        int[] epoch0 = sampler.SourceEpochOrder(0);
        int[] epoch1 = sampler.SourceEpochOrder(1);

        long[] step2 = sampler.IndicesAt(2).Source;

        step2.Should().Equal(epoch0.Skip(20).Concat(epoch1.Take(5)).Select(i => (long)i));
    }

    [Theory]
    [InlineData(100, 10, 64, 2)]
    [InlineData(10, 100, 64, 2)]
    [InlineData(128, 128, 64, 2)]
    [InlineData(129, 1, 64, 3)]
    public void StepsPerEpoch_CeilOfLargerDomainOverBatch(int source, int target, int batch, long expected)
    {
        DomainBatchSampler.StepsPerEpochFor(source, target, batch).Should().Be(expected);
    }

    [Fact]
    public void Ctor_NonPositiveSizes_Throw()
    {
        FluentActions.Invoking(() => new DomainBatchSampler(0, 5, 2, 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("sourceCount");
        FluentActions.Invoking(() => new DomainBatchSampler(5, 0, 2, 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("targetCount");
        FluentActions.Invoking(() => new DomainBatchSampler(5, 5, 0, 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("batchSizePerDomain");
        FluentActions.Invoking(() => new DomainBatchSampler(5, 5, 2, 0).IndicesAt(-1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("step");
    }
}
