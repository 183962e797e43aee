using System.CommandLine;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>
/// The harness's options on System.CommandLine: typed, validated before a command runs (a bad value is one line naming
/// the option and what it expects), with defaults shown in <c>--help</c>. Options shared by several commands are made
/// here so that they read the same everywhere.
/// </summary>
internal static class HarnessOptions
{
    /// <summary>An integer option with a default and a lower bound.</summary>
    public static Option<int> Int(string name, int fallback, string description, int min = 1)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => fallback };
        option.Validators.Add(result =>
        {
            int value = result.GetValueOrDefault<int>();
            if (value < min) result.AddError($"{name} expects an integer ≥ {min}, but got {value}");
        });
        return option;
    }

    /// <summary>A string option that takes one of <paramref name="allowed"/> (the first is the default).</summary>
    public static Option<string> Choice(string name, string description, params string[] allowed)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => allowed[0] };
        option.AcceptOnlyFromAmong(allowed);
        return option;
    }

    /// <summary><c>--threads</c>: intra-op threads, always applied through RuntimeTuning.</summary>
    public static Option<int> Threads(int fallback) => Int("--threads", fallback, "Intra-op threads (applied through RuntimeTuning)");

    /// <summary><c>--malloc tuned|default</c>: whether RuntimeTuning raises glibc's malloc thresholds.</summary>
    public static Option<string> Malloc() => Choice("--malloc", "tuned: RuntimeTuning raises glibc's malloc thresholds (mallopt); default: glibc's allocator as it is", "tuned", "default");

    /// <summary>The <see cref="MallocMode"/> of a <c>--malloc</c> value.</summary>
    public static MallocMode ToMalloc(string value) => value == "default" ? MallocMode.Default : MallocMode.Tuned;

    /// <summary><c>--channels-last true|false</c>: build the preset with or without its channels_last layer.</summary>
    public static Option<bool> ChannelsLast() => new("--channels-last")
    {
        Description = "false builds the preset without its channels_last layer (ModelPresets.Mnist(channelsLast: false))",
        DefaultValueFactory = _ => true,
    };

    /// <summary><c>--size 32|28</c>: the images' height and width.</summary>
    public static Option<int> Size()
    {
        var option = new Option<int>("--size")
        {
            Description = "The images' height and width: 32 (MNIST padded to 32×32 and MNIST-M as released, the sample's default input) or 28 (the paper's 3×28×28)",
            DefaultValueFactory = _ => 32,
        };
        option.Validators.Add(result =>
        {
            int value = result.GetValueOrDefault<int>();
            if (value is not (28 or 32)) result.AddError($"--size expects 28 or 32 (the images' height and width), but got {value}");
        });
        return option;
    }

    /// <summary><c>--json FILE</c>: also write the result as JSON.</summary>
    public static Option<string?> Json(string? fallback = null) => new("--json")
    {
        Description = "Also write the result to this JSON file",
        DefaultValueFactory = _ => fallback,
    };
}

/// <summary>Whether the harness raises glibc's malloc thresholds through <c>RuntimeTuning</c>.</summary>
internal enum MallocMode
{
    /// <summary>RuntimeTuning with <c>TuneMalloc = true</c>.</summary>
    Tuned,

    /// <summary>RuntimeTuning with <c>TuneMalloc = false</c>: glibc's defaults.</summary>
    Default,
}

/// <summary>A combination of options that no single option's validator can refuse (e.g. <c>--flat-from</c> ≥ <c>--steps</c>).</summary>
internal sealed class HarnessUsageException(string message) : Exception(message);
