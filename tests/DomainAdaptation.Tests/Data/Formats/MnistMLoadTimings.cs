using System.Diagnostics;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Formats;
using Xunit.Abstractions;

namespace DomainAdaptation.Tests.Data.Formats;

/// <summary>
/// The load-time measurement of docs/data-formats.md: MNIST-M train from the real archive, first with an empty cache
/// folder, then from the cache. Opt-in (it decodes 59,001 images) and never asserts a time:
/// <c>DOMAINADAPTATION_BENCH=1 dotnet test -c Release --filter FullyQualifiedName~MnistMLoadTimings --logger "console;verbosity=detailed"</c>.
/// </summary>
public class MnistMLoadTimings(ITestOutputHelper output)
{
    [SkippableFact]
    public void Measure_TrainSplit_ColdThenCached()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("DOMAINADAPTATION_BENCH") == "1", "Set DOMAINADAPTATION_BENCH=1 to measure load times.");
        using var cache = new TempFolder();
        var options = new DataLoadOptions { CacheDirectory = cache.Path };
        string archive = TestData.PathOf("mnist_m", "mnist_m.tar.gz");
        var logger = new OutputLogger(output);
        output.WriteLine($"{Environment.ProcessorCount} logical cores; MaxDegreeOfParallelism {options.MaxDegreeOfParallelism}; load average {LoadAverage()}");
        foreach (string phase in new[] { "cold (empty cache)", "warm (from cache)", "warm (from cache)" })
        {
            var process = Process.GetCurrentProcess();
            TimeSpan cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            using SampleSet set = MnistM.Load(archive, DataSplit.Train, options, logger);
            watch.Stop();
            process.Refresh();
            output.WriteLine($"{phase}: {watch.ElapsedMilliseconds} ms wall, {(process.TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU, {set.Count} images {set.Shape}");
        }

        output.WriteLine($"load average after: {LoadAverage()}");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "n/a";
}
