using System.Globalization;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>The command line: a command followed by <c>--name value</c> pairs (and bare <c>--flag</c>s).</summary>
internal sealed class HarnessArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private HarnessArguments(string command) => Command = command;

    public string Command { get; }

    public static HarnessArguments Parse(string[] args)
    {
        if (args.Length == 0) throw new HarnessUsageException("no command given");
        var parsed = new HarnessArguments(args[0]);
        for (int i = 1; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new HarnessUsageException($"unexpected argument '{a}' (options are --name value)");
            string name = a[2..];
            string? value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            parsed._values[name] = value;
        }

        return parsed;
    }

    public int Int(string name, int fallback, int min = 1)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out string? s)) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min)
        {
            throw new HarnessUsageException($"--{name} expects an integer ≥ {min}, but got '{s}'");
        }

        return v;
    }

    public string? String(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out string? s) ? s ?? throw new HarnessUsageException($"--{name} expects a value") : null;
    }

    public bool Bool(string name, bool fallback)
    {
        string? s = String(name);
        return s switch
        {
            null => fallback,
            "true" => true,
            "false" => false,
            _ => throw new HarnessUsageException($"--{name} expects 'true' or 'false', but got '{s}'"),
        };
    }

    public MallocMode Malloc()
    {
        string? s = String("malloc");
        return s switch
        {
            null or "tuned" => MallocMode.Tuned,
            "default" => MallocMode.Default,
            _ => throw new HarnessUsageException($"--malloc expects 'tuned' or 'default', but got '{s}'"),
        };
    }

    /// <summary>
    /// <c>--size</c>: the images' height and width, 32 (MNIST padded to 32×32 and MNIST-M as released, the sample's default
    /// input) or 28 (the paper's 3×28×28); default 32.
    /// </summary>
    public int ImageSize()
    {
        string? s = String("size");
        return s switch
        {
            null or "32" => 32,
            "28" => 28,
            _ => throw new HarnessUsageException($"--size expects 28 or 32 (the images' height and width), but got '{s}'"),
        };
    }

    /// <summary>Throws when an option was given that no command read (a typo would otherwise be ignored silently).</summary>
    public void EnsureAllRead()
    {
        string[] unknown = _values.Keys.Where(k => !_read.Contains(k)).ToArray();
        if (unknown.Length > 0) throw new HarnessUsageException($"unknown option(s) for '{Command}': {string.Join(", ", unknown.Select(u => "--" + u))}");
    }
}

/// <summary>Whether the harness raises glibc's malloc thresholds through <c>RuntimeTuning</c>.</summary>
internal enum MallocMode
{
    /// <summary>RuntimeTuning with <c>TuneMalloc = true</c>.</summary>
    Tuned,

    /// <summary>RuntimeTuning with <c>TuneMalloc = false</c>: glibc's defaults.</summary>
    Default,
}

internal sealed class HarnessUsageException(string message) : Exception(message);
