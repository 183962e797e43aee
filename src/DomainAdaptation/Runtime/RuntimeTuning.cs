using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace DomainAdaptation.Runtime;

/// <summary>
/// Tunes the process for CPU training with TorchSharp: libtorch's intra-op and inter-op thread counts and, on Linux with
/// glibc, the malloc thresholds (<c>mallopt</c>) that stop freed tensor buffers from going back to the kernel every step.
/// Call it once at start-up, before training; see <see cref="RuntimeTuningOptions"/> for what each setting does.
/// </summary>
/// <remarks>
/// <para>
/// Typical use: <c>RuntimeTuning.Apply(new RuntimeTuningOptions { IntraOpThreads = Environment.ProcessorCount })</c>.
/// The settings are process-wide and stay in force until changed; applying the same options again changes nothing and
/// reports the same state (idempotent). Nothing is undone on exit, and nothing here needs disposing.
/// </para>
/// <para>
/// Measured effect (docs/performance.md): on a 2-core Linux machine, the paper's MNIST DANN step at 64 + 64 images has a
/// much lower p90 step time with the malloc tuning than without; the thread count should match the cores given to the
/// process (libtorch defaults to the physical cores, which oversubscribes a container that is given fewer).
/// </para>
/// <para>
/// Inter-op threads: libtorch accepts the count once per process and only before its inter-op pool has started
/// (TorchScript forks start it; eager training does not). This helper applies it at most once, and reports a later,
/// different request as <see cref="ThreadSettingOutcome.Rejected"/> without calling libtorch. It cannot see a count set
/// by other code through <c>torch.set_num_interop_threads</c>: libtorch's error for a second setting is not caught by
/// TorchSharp 0.107 and ends the process, so set the inter-op count in one place only.
/// </para>
/// <para>
/// Platforms: the malloc tuning applies on Linux with glibc; on Windows and macOS, and on Linux with another C library
/// (musl), it is a no-op reported as <see cref="MallocTuningOutcome.UnsupportedPlatform"/> or
/// <see cref="MallocTuningOutcome.NotGlibc"/>. Thread counts apply everywhere.
/// </para>
/// </remarks>
public static partial class RuntimeTuning
{
    private static readonly object Gate = new();
    private static int? _interOpThreadsSetByUs;

    /// <summary>Applies <paramref name="options"/> to the process and reports what is now in force.</summary>
    /// <param name="options">What to change; validated by <see cref="RuntimeTuningOptionsValidator"/>.</param>
    /// <param name="logger">Receives one information line with the result; <see cref="NullLogger"/> when null.</param>
    /// <returns>What was found and applied.</returns>
    /// <exception cref="OptionsValidationException">When <paramref name="options"/> are invalid (the message names the property).</exception>
    /// <exception cref="TorchSharpLoadException">When TorchSharp's native libraries cannot be loaded.</exception>
    public static RuntimeTuningResult Apply(RuntimeTuningOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptionsResult validation = new RuntimeTuningOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RuntimeTuningOptions), validation.Failures);
        }

        logger ??= NullLogger.Instance;
        TorchRuntime.EnsureInitialized();

        RuntimeTuningResult result;
        lock (Gate)
        {
            result = new RuntimeTuningResult(
                ApplyIntraOpThreads(options.IntraOpThreads),
                ApplyInterOpThreads(options.InterOpThreads),
                ApplyMalloc(options));
        }

        LogApplied(
            logger,
            result.IntraOpThreads.After,
            result.IntraOpThreads.Outcome,
            result.InterOpThreads.After,
            result.InterOpThreads.Outcome,
            result.Malloc.Outcome,
            result.Malloc.GlibcVersion ?? "none",
            result.Malloc.MmapThresholdBytes,
            result.Malloc.TrimThresholdBytes);
        if (result.InterOpThreads.Outcome == ThreadSettingOutcome.Rejected)
        {
            LogInterOpRejected(logger, result.InterOpThreads.Requested ?? 0, result.InterOpThreads.After);
        }

        if (result.Malloc.Outcome == MallocTuningOutcome.Failed)
        {
            LogMallocFailed(logger, options.MmapThresholdBytes, options.TrimThresholdBytes);
        }

        return result;
    }

    private static ThreadSettingResult ApplyIntraOpThreads(int? requested)
    {
        int before = torch.get_num_threads();
        if (requested is not { } n) return new ThreadSettingResult(ThreadSettingOutcome.NotRequested, null, before, before);
        if (n == before) return new ThreadSettingResult(ThreadSettingOutcome.AlreadyInEffect, n, before, before);

        torch.set_num_threads(n);
        return new ThreadSettingResult(ThreadSettingOutcome.Applied, n, before, torch.get_num_threads());
    }

    private static ThreadSettingResult ApplyInterOpThreads(int? requested)
    {
        int before = torch.get_num_interop_threads();
        if (requested is not { } n) return new ThreadSettingResult(ThreadSettingOutcome.NotRequested, null, before, before);
        if (n == before) return new ThreadSettingResult(ThreadSettingOutcome.AlreadyInEffect, n, before, before);

        // libtorch throws (uncaught by TorchSharp, so the process would end) when the count was set before: never call twice.
        if (_interOpThreadsSetByUs is not null) return new ThreadSettingResult(ThreadSettingOutcome.Rejected, n, before, before);

        torch.set_num_interop_threads(n);
        _interOpThreadsSetByUs = n;
        return new ThreadSettingResult(ThreadSettingOutcome.Applied, n, before, torch.get_num_interop_threads());
    }

    private static MallocTuningResult ApplyMalloc(RuntimeTuningOptions options)
    {
        if (!options.TuneMalloc) return new MallocTuningResult(MallocTuningOutcome.NotRequested, null, null, null);
        if (!OperatingSystem.IsLinux()) return new MallocTuningResult(MallocTuningOutcome.UnsupportedPlatform, null, null, null);

        string? version = GlibcMalloc.Version();
        if (version is null) return new MallocTuningResult(MallocTuningOutcome.NotGlibc, null, null, null);

        try
        {
            // The mmap threshold first: setting it also turns off glibc's dynamic raising of both thresholds.
            bool mmap = GlibcMalloc.SetOption(GlibcMalloc.MMmapThreshold, options.MmapThresholdBytes);
            bool trim = mmap && GlibcMalloc.SetOption(GlibcMalloc.MTrimThreshold, options.TrimThresholdBytes);
            return mmap && trim
                ? new MallocTuningResult(MallocTuningOutcome.Applied, version, options.MmapThresholdBytes, options.TrimThresholdBytes)
                : new MallocTuningResult(MallocTuningOutcome.Failed, version, mmap ? options.MmapThresholdBytes : null, null);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return new MallocTuningResult(MallocTuningOutcome.NotGlibc, null, null, null);
        }
    }

    [LoggerMessage(
        EventId = 1,
        Level = LogLevel.Information,
        Message = "Runtime tuning: intra-op threads {IntraOpThreads} ({IntraOpOutcome}), inter-op threads {InterOpThreads} ({InterOpOutcome}), malloc {MallocOutcome} (glibc {GlibcVersion}, mmap threshold {MmapThresholdBytes} B, trim threshold {TrimThresholdBytes} B)")]
    private static partial void LogApplied(
        ILogger logger,
        int intraOpThreads,
        ThreadSettingOutcome intraOpOutcome,
        int interOpThreads,
        ThreadSettingOutcome interOpOutcome,
        MallocTuningOutcome mallocOutcome,
        string glibcVersion,
        int? mmapThresholdBytes,
        int? trimThresholdBytes);

    [LoggerMessage(
        EventId = 2,
        Level = LogLevel.Warning,
        Message = "Runtime tuning: inter-op threads {Requested} not applied; libtorch accepts the inter-op count once per process and it is already {InForce}")]
    private static partial void LogInterOpRejected(ILogger logger, int requested, int inForce);

    [LoggerMessage(
        EventId = 3,
        Level = LogLevel.Warning,
        Message = "Runtime tuning: glibc rejected the malloc thresholds (mmap {MmapThresholdBytes} B, trim {TrimThresholdBytes} B); the allocator keeps its defaults")]
    private static partial void LogMallocFailed(ILogger logger, int mmapThresholdBytes, int trimThresholdBytes);
}
