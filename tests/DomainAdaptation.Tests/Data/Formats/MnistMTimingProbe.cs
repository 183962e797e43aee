using System.Diagnostics;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Formats;
using Xunit.Abstractions;

namespace DomainAdaptation.Tests.Data.Formats;

public class MnistMTimingProbe(ITestOutputHelper output)
{
    [Fact]
    public void Probe()
    {
        using var temp = new TempFolder();
        var logger = new OutputLogger(output);
        var options = new DataLoadOptions { CacheDirectory = temp.Path };
        string path = TestData.PathOf("mnist_m", "mnist_m.tar.gz");
        for (int i = 0; i < 3; i++)
        {
            var w = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            if (i == 1) { options.UseCache = false; options.MaxDegreeOfParallelism = 3; } else if (i == 2) { options.UseCache = true; options.MaxDegreeOfParallelism = 2; }
            using var set = MnistM.Load(path, DataSplit.Train, options, logger);
            output.WriteLine($"load {i}: {w.ElapsedMilliseconds} ms, cpu {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds} ms, {set.Count}, gc {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} pause {GC.GetTotalPauseDuration().TotalMilliseconds} ms");
        }
    }
}
