using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace DomainAdaptation.Benchmarks.Micro;

/// <summary>BenchmarkDotNet's defaults plus the memory diagnoser and median/p90 columns.</summary>
public sealed class MicroConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public MicroConfig()
    {
        Add(DefaultConfig.Instance);
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P90);
    }
}

/// <summary>The intra-op thread count the micro benchmarks run with.</summary>
internal static class BenchThreads
{
    /// <summary>
    /// Applies the environment variable <c>BENCH_THREADS</c>, else the number of cores, through RuntimeTuning. On a busy
    /// machine use 1: a parallel kernel then waits for a descheduled thread at its barrier.
    /// </summary>
    public static void Apply()
    {
        int threads = int.TryParse(Environment.GetEnvironmentVariable("BENCH_THREADS"), out int t) && t > 0 ? t : Environment.ProcessorCount;
        DomainAdaptation.Runtime.RuntimeTuning.Apply(new DomainAdaptation.Runtime.RuntimeTuningOptions { IntraOpThreads = threads });
    }
}
