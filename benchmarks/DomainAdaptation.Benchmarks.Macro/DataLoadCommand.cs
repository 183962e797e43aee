using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Datasets;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>
/// Wall time to load MNIST → MNIST-M into memory as the sample does (<see cref="DigitDatasets.MnistToMnistM"/>), at
/// <c>--size</c> 32 (<see cref="DigitsGeometry.Rgb32"/>, 3×32×32, the sample's default: MNIST IDX decompressed, made RGB
/// and padded 28 → 32; the MNIST-M release's 68,002 PNGs streamed from the .tar.gz and decoded, kept at 32×32) or 28
/// (<see cref="DigitsGeometry.Rgb28"/>, 3×28×28: MNIST made RGB; the PNGs decoded and resized 32 → 28): "cold" into an
/// empty cache folder (every file read and decoded, the cache written), then "cached" from that folder (the decoded
/// tensors read back), each repeated <c>--repeat</c> times with a fresh cache folder per cold load.
/// The OS page cache is not dropped (that needs root); the first cold load may also read the files from disk.
/// </summary>
internal static class DataLoadCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The <c>load</c> command.</summary>
    public static Command Create()
    {
        var threads = HarnessOptions.Threads(Environment.ProcessorCount);
        var repeat = HarnessOptions.Int("--repeat", 2, "Cold + cached pairs");
        var size = HarnessOptions.Size();
        var data = new Option<string?>("--data") { Description = "The data folder (default: DOMAINADAPTATION_DATA, else ../shared/data)" };
        var command = new Command("load", "MNIST -> MNIST-M into memory as the sample loads it: cold (empty cache) and cached, in seconds") { threads, repeat, size, data };
        command.SetAction(p => Run(p.GetValue(threads), p.GetValue(repeat), p.GetValue(size),
            p.GetValue(data) ?? Environment.GetEnvironmentVariable("DOMAINADAPTATION_DATA") ?? Path.Combine("..", "shared", "data")));
        return command;
    }

    public static void Run(int threads, int repeat, int size, string root)
    {

        RunContext context = RunContext.Start("load", MallocMode.Tuned, threads, channelsLast: true, size);
        Console.WriteLine(context.Describe() + $"; data: {Path.GetFullPath(root)}");
        DigitsGeometry geometry = size == 32 ? DigitsGeometry.Rgb32 : DigitsGeometry.Rgb28;
        var cold = new List<double>();
        var cached = new List<double>();
        for (int r = 0; r < repeat; r++)
        {
            string cache = Directory.CreateTempSubdirectory("da-load-cache-").FullName;
            try
            {
                var options = new DataLoadOptions { CacheDirectory = cache, MaxDegreeOfParallelism = threads };
                cold.Add(Load(root, geometry, options, out string shape));
                cached.Add(Load(root, geometry, options, out _));
                Console.WriteLine(string.Create(Inv, $"load {r + 1}: cold {cold[^1]:F2} s, cached {cached[^1]:F2} s ({shape})"));
            }
            finally
            {
                Directory.Delete(cache, recursive: true);
            }
        }

        Console.WriteLine(string.Create(Inv, $"load: MNIST + MNIST-M (train and test, 3×{size}×{size}, {geometry}) into memory, median of {repeat}: cold {Summary.Of(cold).Median:F2} s (min {cold.Min():F2}, max {cold.Max():F2}), cached {Summary.Of(cached).Median:F2} s (min {cached.Min():F2}, max {cached.Max():F2})"));
    }

    private static double Load(string root, DigitsGeometry geometry, DataLoadOptions options, out string shape)
    {
        long start = Stopwatch.GetTimestamp();
        using DigitsProblem problem = DigitDatasets.MnistToMnistM(root, geometry, options);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        shape = string.Create(Inv, $"{problem.Train.Source.Count:N0} + {problem.Train.Target.Count:N0} training, {problem.SourceTest.Count:N0} + {problem.TargetTest.Count:N0} test images");
        return seconds;
    }
}
