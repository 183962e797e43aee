namespace DomainAdaptation.Data;

/// <summary>
/// How data files are read: the decoded-data cache, the decompression bound for untrusted archives and the
/// decoding parallelism. Validate with <see cref="DataLoadOptionsValidator"/> (the loaders do).
/// </summary>
public sealed class DataLoadOptions
{
    /// <summary>One gibibyte, the default <see cref="MaxDecompressedBytes"/>.</summary>
    public const long OneGibibyte = 1L << 30;

    /// <summary>
    /// Whether decoded image sets (MNIST-M, image folders) are cached as raw uint8 tensors so that the next load
    /// skips decoding. Default true.
    /// </summary>
    public bool UseCache { get; set; } = true;

    /// <summary>
    /// The cache folder; null means <see cref="DataCacheLocation.Default"/> (<c>$XDG_CACHE_HOME/DomainAdaptation</c>,
    /// <c>~/.cache/DomainAdaptation</c>, or <c>%LOCALAPPDATA%\DomainAdaptation\cache</c> on Windows).
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>
    /// The most bytes a compressed file or archive may expand to before reading stops with an error (a guard
    /// against decompression bombs). Default 1 GiB; the MNIST-M archive (134 MB) expands to 188 MB.
    /// </summary>
    public long MaxDecompressedBytes { get; set; } = OneGibibyte;

    /// <summary>The most threads used to decode images; default <see cref="Environment.ProcessorCount"/>.</summary>
    public int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Whether the files of a known release (the four MNIST IDX files, raw or .gz, and the MNIST-M archive
    /// <c>mnist_m.tar.gz</c>; see <see cref="Download.KnownDataFiles"/>) are checked against their SHA-256 before they are
    /// read, as <see cref="Download.DataSetResolver"/> checks them: a damaged or substituted file is a
    /// <see cref="Download.DataChecksumException"/> naming it, with the same message on both paths. Default true; costs
    /// about 0.5 s for MNIST → MNIST-M. Set false to read other files under those names (e.g. a variant of MNIST).
    /// </summary>
    public bool VerifyKnownChecksums { get; set; } = true;

    /// <summary>Whether PNG chunk CRC-32 checksums are verified. Default true.</summary>
    public bool VerifyPngChecksums { get; set; } = true;

    /// <summary>The cache folder in effect: <see cref="CacheDirectory"/> or the default.</summary>
    /// <returns>An absolute path (not necessarily existing yet).</returns>
    public string ResolveCacheDirectory() => Path.GetFullPath(CacheDirectory ?? DataCacheLocation.Default);
}
