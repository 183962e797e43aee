using System.Buffers;
using System.Formats.Tar;
using System.IO.Compression;

namespace DomainAdaptation.Data.Formats;

/// <summary>
/// Streams the files of a <c>.tar</c> or <c>.tar.gz</c> archive (gzip recognised by its magic bytes) without
/// extracting it, treating it as untrusted: entries with an absolute path or a <c>..</c> segment, links and
/// devices are rejected, and the decompressed size is bounded by <see cref="DataLoadOptions.MaxDecompressedBytes"/>.
/// </summary>
internal static class TarArchive
{
    /// <summary>
    /// Reads the archive's regular files in archive order, streaming: only the current entry is in memory.
    /// Every entry name is validated (even those not selected) before anything is returned for it.
    /// </summary>
    /// <param name="archivePath">The <c>.tar</c> or <c>.tar.gz</c> file.</param>
    /// <param name="include">Selects the files to read by their normalised name; null reads all. Others are skipped.</param>
    /// <param name="options">The decompression bound; null for defaults.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    /// <returns>The selected files, lazily.</returns>
    /// <exception cref="DataFormatException">When an entry is unsafe, the archive is corrupt or truncated, or it exceeds the bound.</exception>
    /// <exception cref="FileNotFoundException">When the archive does not exist.</exception>
    public static IEnumerable<ArchiveFile> ReadFiles(string archivePath, Func<string, bool>? include = null,
        DataLoadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(archivePath);
        options = DataLoadOptionsValidator.EnsureValid(options);
        return ReadFilesCore(archivePath, include, options.MaxDecompressedBytes, cancellationToken);
    }

    /// <summary>
    /// Extracts the archive's regular files and folders below <paramref name="destination"/>, refusing (before
    /// writing it) any entry that is unsafe or would land outside the destination.
    /// </summary>
    /// <param name="archivePath">The <c>.tar</c> or <c>.tar.gz</c> file.</param>
    /// <param name="destination">The folder to extract into (created when missing).</param>
    /// <param name="options">The decompression bound; null for defaults.</param>
    /// <param name="cancellationToken">Stops the extraction between entries.</param>
    /// <returns>The number of files written.</returns>
    /// <exception cref="DataFormatException">When an entry is unsafe, the archive is corrupt or truncated, or it exceeds the bound.</exception>
    public static int ExtractToDirectory(string archivePath, string destination, DataLoadOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(archivePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        options = DataLoadOptionsValidator.EnsureValid(options);
        string root = Path.GetFullPath(destination);
        string rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(root);
        int files = 0;
        foreach ((TarEntry entry, string name) in Entries(archivePath, options.MaxDecompressedBytes, cancellationToken))
        {
            string target = Path.GetFullPath(Path.Combine(root, name));
            if (!target.StartsWith(rootWithSeparator, StringComparison.Ordinal) && target != root)
            {
                throw new DataFormatException(archivePath, $"the entry '{entry.Name}' would be written outside '{root}'; the archive is rejected.");
            }

            if (entry.EntryType == TarEntryType.Directory)
            {
                Directory.CreateDirectory(target);
                continue;
            }

            if (!IsRegularFile(entry)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using (var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                try
                {
                    entry.DataStream?.CopyTo(output);
                }
                catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
                {
                    throw new DataFormatException(archivePath + "!" + name, $"the entry is corrupt or truncated ({ex.Message}); download the archive again.", ex);
                }
            }

            files++;
        }

        return files;
    }

    /// <summary>
    /// Streams the selected regular files to <paramref name="consume"/> in archive order, each in a buffer rented from
    /// <see cref="ArrayPool{T}.Shared"/> that the consumer owns (and returns). Returning false stops the reading.
    /// </summary>
    /// <param name="archivePath">The <c>.tar</c> or <c>.tar.gz</c> file.</param>
    /// <param name="include">Selects the files to read by their normalised name.</param>
    /// <param name="maxBytes">The decompression bound.</param>
    /// <param name="consume">Receives (name, rented buffer, length); returns false to stop.</param>
    /// <param name="cancellationToken">Stops the reading between entries.</param>
    /// <param name="maxEntryBytes">The largest entry that is read into memory; a larger one stops the reading with a <see cref="DataFormatException"/> before any buffer is rented.</param>
    internal static void ReadFilesPooled(string archivePath, Func<string, bool> include, long maxBytes,
        Func<string, byte[], int, bool> consume, CancellationToken cancellationToken, long maxEntryBytes = long.MaxValue)
    {
        foreach ((TarEntry entry, string name) in Entries(archivePath, maxBytes, cancellationToken))
        {
            if (!IsRegularFile(entry) || !include(name)) continue;
            string displayName = archivePath + "!" + name;
            if (entry.Length > maxEntryBytes) throw new DataFormatException(displayName, $"the entry is {entry.Length:N0} bytes, more than the {maxEntryBytes:N0}-byte limit for one entry; reading stopped.");
            if (entry.Length > Array.MaxLength) throw new DataFormatException(displayName, $"the entry declares {entry.Length:N0} bytes, more than one array can hold.");
            int length = (int)entry.Length;
            byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
            int n = entry.DataStream is null ? 0 : CompressedFile.ReadFully(entry.DataStream, buffer.AsSpan(0, length), displayName);
            if (n != length)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw new DataFormatException(displayName, $"the entry is truncated: {n:N0} of {length:N0} bytes; download the archive again.");
            }

            if (!consume(name, buffer, length)) return;
        }
    }

    private static IEnumerable<ArchiveFile> ReadFilesCore(string archivePath, Func<string, bool>? include, long maxBytes,
        CancellationToken cancellationToken)
    {
        foreach ((TarEntry entry, string name) in Entries(archivePath, maxBytes, cancellationToken))
        {
            if (!IsRegularFile(entry) || (include is not null && !include(name))) continue;
            yield return new ArchiveFile(name, ReadContent(entry, archivePath, name));
        }
    }

    private static IEnumerable<(TarEntry Entry, string Name)> Entries(string archivePath, long maxBytes,
        CancellationToken cancellationToken)
    {
        using FileStream file = CompressedFile.OpenExisting(archivePath);
        bool gzip = CompressedFile.IsGzip(file);
        Stream content = gzip
            ? new BoundedReadStream(new BufferedStream(new GZipStream(file, CompressionMode.Decompress, leaveOpen: true), 1 << 16), maxBytes, archivePath)
            : new BoundedReadStream(file, maxBytes, archivePath, leaveOpen: true);
        using (content)
        using (var reader = new TarReader(content, leaveOpen: true))
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TarEntry? entry = Next(reader, archivePath);
                if (entry is null) yield break;
                string name = ArchiveEntryNames.Validate(entry, archivePath);
                yield return (entry, name);
            }
        }
    }

    private static TarEntry? Next(TarReader reader, string archivePath)
    {
        try
        {
            return reader.GetNextEntry(copyData: false);
        }
        catch (DataFormatException)
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or FormatException or ArgumentException or OverflowException)
        {
            // OverflowException: System.Formats.Tar's header parser on a size or time field out of range (found by ParserFuzzTests).
            throw new DataFormatException(archivePath, $"the archive is corrupt or truncated ({ex.Message}); download it again.", ex);
        }
    }

    private static bool IsRegularFile(TarEntry entry) =>
        entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile;

    private static byte[] ReadContent(TarEntry entry, string archivePath, string name)
    {
        if (entry.DataStream is null || entry.Length == 0) return [];
        if (entry.Length > Array.MaxLength)
        {
            throw new DataFormatException(archivePath + "!" + name, $"the entry declares {entry.Length:N0} bytes, more than one array can hold.");
        }

        var content = new byte[entry.Length];
        int n = CompressedFile.ReadFully(entry.DataStream, content, archivePath + "!" + name);
        if (n != content.Length)
        {
            throw new DataFormatException(archivePath + "!" + name, $"the entry is truncated: {n:N0} of {content.Length:N0} bytes; download the archive again.");
        }

        return content;
    }
}
