using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Batching;

public class BatchAssemblerTests
{
    [Fact]
    public void Assemble_Uint8Images_GathersTheIndexedSamplesScaledAndNormalised()
    {
        // Sample i of the source is filled with value i, of the target with 100 + i; 2 channels of 2×2.
        using var data = new DomainDataset(
            "indexed",
            new SampleSet("s", arange(10, ScalarType.Byte).view(10, 1, 1, 1).expand(10, 2, 2, 2).contiguous(), arange(10, ScalarType.Int64), 10),
            new SampleSet("t", arange(100, 110, ScalarType.Byte).view(10, 1, 1, 1).expand(10, 2, 2, 2).contiguous(), arange(10, ScalarType.Int64).flip(0), 10));
        var normalisation = new ChannelNormalisation([0.01, 0.02], [0.5, 0.25]);
        using var converter = new SampleConverter(ScalarType.Float64, CPU, normalisation);
        var assembler = new BatchAssembler(data, converter);

        DomainBatch batch = assembler.Assemble(new DomainBatchIndices(0, [7, 2, 7], [0, 9, 4]), includeTargetLabels: true);

        batch.SourceImages.shape.Should().Equal(3, 2, 2, 2);
        batch.SourceImages.dtype.Should().Be(ScalarType.Float64);
        batch.SourceLabels.data<long>().ToArray().Should().Equal(7, 2, 7);
        batch.TargetLabels!.data<long>().ToArray().Should().Equal(9, 0, 5);
        double[] expectedSource = [7, 2, 7];
        double[] expectedTarget = [100, 109, 104];
        for (int i = 0; i < 3; i++)
        {
            for (int c = 0; c < 2; c++)
            {
                double mean = normalisation.Mean[c], std = normalisation.Std[c];
                batch.SourceImages[i, c, 1, 0].ToDouble().Should().BeApproximately(((expectedSource[i] / 255.0) - mean) / std, 1e-12);
                batch.TargetImages[i, c, 0, 1].ToDouble().Should().BeApproximately(((expectedTarget[i] / 255.0) - mean) / std, 1e-12);
            }
        }
    }

    [Fact]
    public void Assemble_FloatVectors_NotScaledNormalisedPerFeature()
    {
        using var data = new DomainDataset(
            "vectors",
            new SampleSet("s", tensor(new float[] { 1, 2, 3, 4 }, [2, 2]), tensor(new long[] { 0, 1 }), 2),
            new SampleSet("t", tensor(new float[] { 5, 6, 7, 8 }, [2, 2]), null, 2));
        using var converter = new SampleConverter(ScalarType.Float32, CPU, new ChannelNormalisation([1.0, 2.0], [2.0, 4.0]));

        DomainBatch batch = new BatchAssembler(data, converter).Assemble(new DomainBatchIndices(0, [1], [0]));

        batch.SourceImages.data<float>().ToArray().Should().Equal((3f - 1f) / 2f, (4f - 2f) / 4f);
        batch.TargetImages.data<float>().ToArray().Should().Equal((5f - 1f) / 2f, (6f - 2f) / 4f);
        batch.TargetLabels.Should().BeNull();
    }

    [Fact]
    public void Assemble_TargetLabelsWithoutAny_ThrowsNamingTheData()
    {
        using var data = new DomainDataset(
            "unlabelled target",
            new SampleSet("s", zeros(2, 2), tensor(new long[] { 0, 1 }), 2),
            new SampleSet("t", zeros(2, 2), null, 2));
        using var converter = new SampleConverter(ScalarType.Float32, CPU);

        FluentActions.Invoking(() => new BatchAssembler(data, converter).Assemble(new DomainBatchIndices(0, [0], [0]), includeTargetLabels: true))
            .Should().Throw<InvalidOperationException>().WithMessage("'unlabelled target' has no target labels*");
    }

    [Fact]
    public void Assemble_IndexOutsideTheSet_ThrowsNamingTheSet()
    {
        using var data = new DomainDataset("d", new SampleSet("src", zeros(2, 2), tensor(new long[] { 0, 1 }), 2), new SampleSet("tgt", zeros(2, 2), null, 2));
        using var converter = new SampleConverter(ScalarType.Float32, CPU);

        FluentActions.Invoking(() => new BatchAssembler(data, converter).Assemble(new DomainBatchIndices(0, [0], [2])))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("Index 2 lies outside 'tgt' (2 samples)*");
    }

    [Fact]
    public void Convert_ChannelCountDisagreesWithNormalisation_Throws()
    {
        using var converter = new SampleConverter(ScalarType.Float32, CPU, new ChannelNormalisation([0.5, 0.5, 0.5], [0.2, 0.2, 0.2]));

        FluentActions.Invoking(() => converter.Convert(zeros(4, 1, 2, 2, ScalarType.Byte)))
            .Should().Throw<ArgumentException>().WithMessage("The normalisation has 3 channels but the batch has 1*");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Convert_FloatStorageInTrainingDtype_NeverModifiesOrAliasesTheStorage(bool normalise)
    {
        using Tensor storage = tensor(new double[] { 1, 2, 3, 4, 5, 6 }, [3, 2]);
        using var converter = new SampleConverter(ScalarType.Float64, CPU, normalise ? new ChannelNormalisation([1.0, 1.0], [2.0, 2.0]) : null);

        Tensor converted = converter.Convert(storage.narrow(0, 1, 2));
        converted.add_(100);

        storage.data<double>().ToArray().Should().Equal(1, 2, 3, 4, 5, 6);
    }
}

/// <summary>The assembler's read-ahead of streamed sets.</summary>
public class BatchAssemblerPrefetchTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().ToBoolean();

    private static Tensor Images(int count, int offset) =>
        arange(offset, offset + count, ScalarType.Int64).to(ScalarType.Byte).view(count, 1, 1, 1).expand(count, 1, 2, 3).contiguous();

    [Fact]
    public void Assemble_StreamedSetsReadAhead_SameBatchesAsInMemoryForwardAndAfterAJumpBack()
    {
        using var memory = new DomainDataset("memory",
            new SampleSet("s", Images(13, 0), arange(13, ScalarType.Int64).remainder(3), 3),
            new SampleSet("t", Images(9, 100), null, 3));
        var sourceStream = new TensorStream("s", Images(13, 0));
        var targetStream = new TensorStream("t", Images(9, 100));
        using var streamed = new DomainDataset("streamed",
            new SampleSet("s", sourceStream, arange(13, ScalarType.Int64).remainder(3), 3),
            new SampleSet("t", targetStream, null, 3));
        using var converter = new SampleConverter(ScalarType.Float32, CPU, null);
        var sampler = new DomainBatchSampler(13, 9, 4, seed: 5);
        using var direct = new BatchAssembler(memory, converter);
        using var ahead = new BatchAssembler(streamed, converter, prefetchSteps: 3);

        foreach (long step in new long[] { 0, 1, 2, 3, 4, 5, 6, 2, 3, 10 })
        {
            using var scope = NewDisposeScope();
            DomainBatch expected = direct.Assemble(sampler.IndicesAt(step));
            DomainBatch actual = ahead.Assemble(sampler, step);
            Same(actual.SourceImages, expected.SourceImages).Should().BeTrue($"step {step}");
            Same(actual.TargetImages, expected.TargetImages).Should().BeTrue($"step {step}");
            Same(actual.SourceLabels, expected.SourceLabels).Should().BeTrue($"step {step}");
        }

        sourceStream.Reads.Should().NotBeEmpty();
        targetStream.Reads.Should().NotBeEmpty();
    }

    [Fact]
    public void Assemble_StepZero_StartsReadingTheNextStepsBeforeTheyAreAsked()
    {
        var targetStream = new TensorStream("t", Images(40, 0));
        using var streamed = new DomainDataset("streamed",
            new SampleSet("s", Images(40, 0), arange(40, ScalarType.Int64).remainder(2), 2),
            new SampleSet("t", targetStream, null, 2));
        using var converter = new SampleConverter(ScalarType.Float32, CPU, null);
        var sampler = new DomainBatchSampler(40, 40, 4, seed: 1);
        using var assembler = new BatchAssembler(streamed, converter, prefetchSteps: 2);

        using (NewDisposeScope()) assembler.Assemble(sampler, 0);

        // An upper bound against hanging, not a speed target: the reads were started before Assemble returned.
        targetStream.WaitForRead(sampler.IndicesAt(2).Target, TimeSpan.FromSeconds(60)).Should().BeTrue("step 2 is within the read-ahead of step 0");
        targetStream.Reads.Should().NotContain(r => r.Indices.SequenceEqual(sampler.IndicesAt(3).Target), "step 3 lies beyond the read-ahead of 2");
    }

    [Fact]
    public void Assemble_ADamagedStreamedSample_ThrowsItsOwnExceptionNamingTheFile()
    {
        var sampler = new DomainBatchSampler(8, 8, 4, seed: 3);
        long bad = sampler.IndicesAt(1).Target[0];
        using var streamed = new DomainDataset("streamed",
            new SampleSet("s", Images(8, 0), arange(8, ScalarType.Int64).remainder(2), 2),
            new SampleSet("t", new TensorStream("t", Images(8, 0)) { FailingIndex = bad }, null, 2));
        using var converter = new SampleConverter(ScalarType.Float32, CPU, null);
        using var assembler = new BatchAssembler(streamed, converter, prefetchSteps: 2);
        using var scope = NewDisposeScope();

        assembler.Assemble(sampler, 0);
        Action act = () => assembler.Assemble(sampler, 1);

        act.Should().Throw<DomainAdaptation.Data.Formats.DataFormatException>().WithMessage($"*t/{bad}.png*damaged*");
    }
}
