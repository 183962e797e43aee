using BenchmarkDotNet.Attributes;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Runtime;
using static TorchSharp.torch;

namespace DomainAdaptation.Benchmarks.Micro;

/// <summary>
/// The cost of building one training batch of 64 source + 64 target images 3×32×32 (the MNIST → MNIST-M sample's
/// default input: MNIST padded to 32×32, MNIST-M as released) held in memory as uint8: the library's
/// <see cref="BatchAssembler"/> (one <c>index_select</c> per domain, then uint8 → float32, ÷255 and the per-channel
/// normalisation on the whole batch), against the per-sample path a <c>DataLoader</c>-style pipeline takes
/// (each image selected, converted and normalised on its own, then stacked) — same indices, same values.
/// </summary>
public class BatchAssemblyBenchmarks
{
    private const int Pool = 4096;
    private const int Batch = 64;
    private const int Size = 32;
    private DomainDataset _data = null!;
    private SampleConverter _converter = null!;
    private BatchAssembler _assembler = null!;
    private DomainBatchSampler _sampler = null!;
    private long _step;

    /// <summary>Creates 4,096 random uint8 images per domain and the assembler; applies <c>BENCH_THREADS</c> (see <see cref="GradientReversalBenchmarks.Setup"/>).</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchThreads.Apply();
        var generator = new Generator(1);
        Tensor Images() => randint(0, 256, [Pool, 3, Size, Size], dtype: ScalarType.Byte, generator: generator);
        Tensor labels = randint(0, 10, [Pool], dtype: ScalarType.Int64, generator: generator);
        _data = new DomainDataset("random", new SampleSet("source", Images(), labels, 10), new SampleSet("target", Images(), null, 10));
        _converter = new SampleConverter(ScalarType.Float32, CPU, ChannelNormalisation.OverBothDomains(_data));
        _assembler = new BatchAssembler(_data, _converter);
        _sampler = new DomainBatchSampler(Pool, Pool, Batch, seed: 1);
    }

    /// <summary>Disposes the data and the converter.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _converter.Dispose();
        _data.Dispose();
    }

    /// <summary>The library: <see cref="BatchAssembler.Assemble(DomainBatchIndices, bool)"/> for the next step's indices.</summary>
    [Benchmark(Baseline = true)]
    public long Assembler()
    {
        using var scope = NewDisposeScope();
        DomainBatch batch = _assembler.Assemble(_sampler.IndicesAt(_step++));
        return batch.SourceImages.shape[0] + batch.TargetImages.shape[0];
    }

    /// <summary>Per sample: select, convert and normalise each image alone, then stack (what a per-sample loader's collate does).</summary>
    [Benchmark]
    public long PerSampleThenStack()
    {
        using var scope = NewDisposeScope();
        DomainBatchIndices indices = _sampler.IndicesAt(_step++);
        Tensor source = stack(indices.Source.Select(i => _converter.Convert(_data.Source.Samples[i].unsqueeze(0)).squeeze(0)).ToArray());
        Tensor sourceLabels = stack(indices.Source.Select(i => _data.Source.Labels![i]).ToArray());
        Tensor target = stack(indices.Target.Select(i => _converter.Convert(_data.Target.Samples[i].unsqueeze(0)).squeeze(0)).ToArray());
        return source.shape[0] + target.shape[0] + sourceLabels.shape[0];
    }
}
