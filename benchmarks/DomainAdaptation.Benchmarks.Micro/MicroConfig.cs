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
