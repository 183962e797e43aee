namespace DomainAdaptation.Data.Generation;

/// <summary>
/// Bounds for reading an untrusted compressed archive: a decompression that grows past
/// <see cref="MaxTotalBytes"/>, or one entry larger than <see cref="MaxEntryBytes"/>, stops with an error.
/// </summary>
/// <param name="MaxTotalBytes">The most decompressed bytes read from the archive as a whole.</param>
/// <param name="MaxEntryBytes">The most bytes of one entry that is read into memory.</param>
public sealed record ArchiveLimits(long MaxTotalBytes, long MaxEntryBytes)
{
    /// <summary>
    /// 2 GiB in all and 64 MiB per entry: several times what the BSDS500 archive (<c>BSR_bsds500.tgz</c>, with its
    /// ground truth and benchmark code) decompresses to, and far below what a decompression bomb would produce.
    /// </summary>
    public static ArchiveLimits Default { get; } = new(2L << 30, 64L << 20);
}
