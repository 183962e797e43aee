namespace DomainAdaptation.Runtime;

/// <summary>What <see cref="RuntimeTuning.Apply"/> found and applied.</summary>
/// <param name="IntraOpThreads">The intra-op thread setting (<c>torch.set_num_threads</c>).</param>
/// <param name="InterOpThreads">The inter-op thread setting (<c>torch.set_num_interop_threads</c>).</param>
/// <param name="Malloc">The glibc malloc tuning.</param>
public sealed record RuntimeTuningResult(
    ThreadSettingResult IntraOpThreads,
    ThreadSettingResult InterOpThreads,
    MallocTuningResult Malloc);

/// <summary>One libtorch thread-count setting.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Requested">The requested count, or null when none was requested.</param>
/// <param name="Before">libtorch's count before the call.</param>
/// <param name="After">libtorch's count after the call (what is in force now).</param>
public sealed record ThreadSettingResult(ThreadSettingOutcome Outcome, int? Requested, int Before, int After);

/// <summary>The outcome of one thread-count setting.</summary>
public enum ThreadSettingOutcome
{
    /// <summary>No count was requested; libtorch's setting was left as it was.</summary>
    NotRequested,

    /// <summary>The requested count was applied.</summary>
    Applied,

    /// <summary>The requested count was already in force; nothing was called.</summary>
    AlreadyInEffect,

    /// <summary>
    /// The requested count could not be applied: libtorch accepts the inter-op count once per process, before its pool
    /// starts, and it had already been set.
    /// </summary>
    Rejected,
}

/// <summary>The glibc malloc tuning.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="GlibcVersion">The glibc version found (<c>gnu_get_libc_version</c>), or null when the C library is not glibc or was not probed.</param>
/// <param name="MmapThresholdBytes">The <c>M_MMAP_THRESHOLD</c> applied, or null when it was not applied.</param>
/// <param name="TrimThresholdBytes">The <c>M_TRIM_THRESHOLD</c> applied, or null when it was not applied.</param>
public sealed record MallocTuningResult(MallocTuningOutcome Outcome, string? GlibcVersion, int? MmapThresholdBytes, int? TrimThresholdBytes);

/// <summary>The outcome of the glibc malloc tuning.</summary>
public enum MallocTuningOutcome
{
    /// <summary><see cref="RuntimeTuningOptions.TuneMalloc"/> was false; nothing was called.</summary>
    NotRequested,

    /// <summary>Both <c>mallopt</c> calls succeeded.</summary>
    Applied,

    /// <summary>The operating system is not Linux; its allocator is left alone.</summary>
    UnsupportedPlatform,

    /// <summary>Linux, but the C library is not glibc (for example musl on Alpine): there is no <c>mallopt</c> to call.</summary>
    NotGlibc,

    /// <summary>glibc rejected a value (<c>mallopt</c> returned 0); whatever succeeded before stays in force.</summary>
    Failed,
}
