namespace DomainAdaptation.Runtime;

/// <summary>
/// What <see cref="RuntimeTuning.Apply"/> changes in the process: libtorch's CPU thread counts and, on Linux with glibc,
/// the malloc thresholds that decide when freed memory goes back to the operating system.
/// </summary>
/// <remarks>
/// <para>
/// Why the malloc thresholds matter: glibc serves allocations above <c>M_MMAP_THRESHOLD</c> (128 KiB at start, raised
/// dynamically up to 32 MiB) with <c>mmap</c> and returns them with <c>munmap</c>, and it trims the heap top above
/// <c>M_TRIM_THRESHOLD</c>. A training step allocates and frees the same few-megabyte activation and gradient buffers
/// every step, so with the defaults the memory goes back to the kernel and is faulted in again, zero-filled, page by page,
/// on the next step. The measured effect on a 2-core machine is a step time jumping between ~17 and ~33 ms. Raising both
/// thresholds keeps the buffers in the process and reuses them. The defaults below are the values measured in
/// docs/performance.md; they are also what <c>GLIBC_TUNABLES=glibc.malloc.mmap_threshold=…:glibc.malloc.trim_threshold=…</c>
/// achieves from outside the process.
/// </para>
/// <para>Validated by <see cref="RuntimeTuningOptionsValidator"/>.</para>
/// </remarks>
public sealed class RuntimeTuningOptions
{
    /// <summary>The largest mmap threshold glibc accepts on 64-bit systems: 32 MiB (<c>DEFAULT_MMAP_THRESHOLD_MAX</c>).</summary>
    public const int MaxMmapThresholdBytes = 32 * 1024 * 1024;

    /// <summary>The default trim threshold: 1 GiB.</summary>
    public const int DefaultTrimThresholdBytes = 1024 * 1024 * 1024;

    /// <summary>
    /// libtorch's intra-op thread count (<c>torch.set_num_threads</c>): the threads one operator such as a convolution or
    /// a matrix product uses. Null leaves libtorch's default (on Linux, the number of physical cores). Must be ≥ 1.
    /// </summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>
    /// libtorch's inter-op thread count (<c>torch.set_num_interop_threads</c>): the pool that runs independent operators
    /// concurrently (TorchScript forks); eager CPU training does not use it. Null (the default) leaves it alone. Must be ≥ 1.
    /// </summary>
    /// <remarks>
    /// libtorch accepts this setting once per process and only before the pool has started; a second, different value
    /// cannot be applied and is reported as <see cref="ThreadSettingOutcome.Rejected"/> (see
    /// <see cref="RuntimeTuning.Apply"/>).
    /// </remarks>
    public int? InterOpThreads { get; set; }

    /// <summary>Whether to raise glibc's malloc thresholds (Linux with glibc only; reported as unsupported elsewhere). Default true.</summary>
    public bool TuneMalloc { get; set; } = true;

    /// <summary>
    /// <c>M_MMAP_THRESHOLD</c> in bytes: allocations at least this large are served by <c>mmap</c> and returned to the
    /// system when freed. Default and maximum 32 MiB (<see cref="MaxMmapThresholdBytes"/>); must be ≥ 0.
    /// </summary>
    public int MmapThresholdBytes { get; set; } = MaxMmapThresholdBytes;

    /// <summary>
    /// <c>M_TRIM_THRESHOLD</c> in bytes: free memory at the top of the heap beyond this is returned to the system.
    /// Default 1 GiB (<see cref="DefaultTrimThresholdBytes"/>); must be ≥ 0.
    /// </summary>
    public int TrimThresholdBytes { get; set; } = DefaultTrimThresholdBytes;
}
