using System.Text.Json;
using System.Text.Json.Serialization;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>The training-step benchmark: milliseconds per step after warm-up.</summary>
/// <remarks><c>CpuMsPerStep</c>: this process's CPU time (all its threads) per measured step; with one intra-op thread it is the step's
/// cost without the waiting a busy machine adds to the wall time.</remarks>
internal sealed record StepResult(RunContext Context, int Warmup, int Steps, Summary MsPerStep, double CpuMsPerStep, int Gen0Collections, int Gen2Collections, double FinalLoss, double OthersCpuPercent, double[] SamplesMs);

/// <summary>The inference benchmark: images per second at a batch size.</summary>
internal sealed record InferenceResult(RunContext Context, int Batch, int Batches, double ImagesPerSecond, Summary MsPerBatch, double OthersCpuPercent);

/// <summary>One RSS sample: after <paramref name="Step"/> steps.</summary>
internal sealed record RssSample(int Step, double ResidentMiB);

/// <summary>
/// RSS over many steps. Flatness: over the samples from <see cref="FlatFrom"/> on, the largest deviation from their mean,
/// in percent of the mean (the target: within ±10% from step 500 to step 5,000).
/// </summary>
internal sealed record RssResult(
    RunContext Context,
    int Steps,
    int SampleEvery,
    int FlatFrom,
    double MeanMiB,
    double MinMiB,
    double MaxMiB,
    double MaxDeviationPercent,
    double? PeakMiB,
    Summary MsPerStep,
    double OthersCpuPercent,
    RssSample[] Samples);

/// <summary>The <c>compare</c> command's output: every child run, per malloc mode (all at one image size, 3×ImageSize×ImageSize).</summary>
internal sealed record ComparisonResult(int Threads, int ImageSize, int Repeats, List<StepResult> Steps, List<InferenceResult> Inference, List<RssResult> Rss);

internal static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write<T>(string? path, T value)
    {
        if (path is null) return;
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, JsonSerializer.Serialize(value, Options));
    }

    public static T Read<T>(string path) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"'{path}' holds no result.");
}
