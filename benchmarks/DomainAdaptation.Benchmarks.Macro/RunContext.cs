using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using DomainAdaptation.Runtime;
using TorchSharp;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>Everything that says under which conditions a figure was measured.</summary>
/// <remarks><c>ImageSize</c>: the images' height and width (3×ImageSize×ImageSize).</remarks>
internal sealed record RunContext(
    string Command,
    MallocMode Malloc,
    bool ChannelsLast,
    int ImageSize,
    int IntraOpThreads,
    int InterOpThreads,
    RuntimeTuningResult Tuning,
    Versions Versions,
    Machine Machine,
    IReadOnlyDictionary<string, string?> Environment,
    double[] LoadAverageAtStart)
{
    /// <summary>Environment variables that change allocator or threading behaviour behind the harness's back.</summary>
    public static readonly string[] RelevantVariables =
        ["GLIBC_TUNABLES", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "DOTNET_gcServer", "DOTNET_TieredPGO"];

    public static RunContext Start(string command, MallocMode malloc, int threads, bool channelsLast, int imageSize)
    {
        double[] load = Machine.LoadAverage();
        RuntimeTuningResult tuning = RuntimeTuning.Apply(new RuntimeTuningOptions
        {
            IntraOpThreads = threads,
            TuneMalloc = malloc == MallocMode.Tuned,
        });

        var env = RelevantVariables.ToDictionary(v => v, v => System.Environment.GetEnvironmentVariable(v));
        return new RunContext(command, malloc, channelsLast, imageSize, torch.get_num_threads(), torch.get_num_interop_threads(), tuning, Versions.Current(), Machine.Current(), env, load);
    }

    public string Describe()
    {
        string text = string.Create(
            CultureInfo.InvariantCulture,
            $"{Command}: malloc {Malloc} ({Tuning.Malloc.Outcome}), channels-last {ChannelsLast}, image 3×{ImageSize}×{ImageSize}, intra-op threads {IntraOpThreads}, inter-op threads {InterOpThreads}, TorchSharp {Versions.TorchSharp}, libtorch {Versions.LibTorch}, {Versions.Runtime}; load average {string.Join(' ', LoadAverageAtStart)}");
        return Environment["GLIBC_TUNABLES"] is { } t
            ? text + $"; GLIBC_TUNABLES={t} is set (the 'default' malloc figures are then not glibc's defaults)"
            : text;
    }
}

internal sealed record Versions(string Runtime, string TorchSharp, string LibTorch, string Os)
{
    public static Versions Current()
    {
        Assembly torchSharp = typeof(torch).Assembly;
        string torchSharpVersion = torchSharp.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? torchSharp.GetName().Version?.ToString() ?? "unknown";
        int plus = torchSharpVersion.IndexOf('+', StringComparison.Ordinal);
        if (plus > 0) torchSharpVersion = torchSharpVersion[..plus];
        return new Versions(RuntimeInformation.FrameworkDescription, torchSharpVersion, LibTorchPackage(), RuntimeInformation.OSDescription);
    }

    /// <summary>The libtorch backend package and version, from the application's deps.json (for example "libtorch-cpu-linux-x64/2.10.0").</summary>
    private static string LibTorchPackage()
    {
        string deps = Path.Combine(AppContext.BaseDirectory, Assembly.GetEntryAssembly()!.GetName().Name + ".deps.json");
        if (!File.Exists(deps)) return "unknown";
        foreach (string line in File.ReadLines(deps))
        {
            string t = line.Trim();
            // The "libraries" section's keys are "name/version".
            if ((t.StartsWith("\"libtorch-", StringComparison.Ordinal) || t.StartsWith("\"TorchSharp-cpu/", StringComparison.Ordinal)) && t.IndexOf('"', 1) is > 0 and var end)
            {
                string key = t[1..end];
                if (key.Contains('/', StringComparison.Ordinal)) return key;
            }
        }

        return "unknown";
    }
}

internal sealed record Machine(string Cpu, int LogicalCores, long MemoryMiB, string Host)
{
    public static Machine Current()
    {
        string cpu = "unknown";
        if (File.Exists("/proc/cpuinfo"))
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) cpu = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }

        long memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024);
        return new Machine(cpu, System.Environment.ProcessorCount, memory, System.Environment.MachineName);
    }

    /// <summary>The 1-, 5- and 15-minute load averages (Linux), or empty.</summary>
    public static double[] LoadAverage()
    {
        if (!File.Exists("/proc/loadavg")) return [];
        return File.ReadAllText("/proc/loadavg").Split(' ').Take(3)
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    }
}
