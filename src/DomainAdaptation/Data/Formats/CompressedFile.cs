using System.IO.Compression;

namespace DomainAdaptation.Data.Formats;

/// <summary>Opens a file that may be gzip-compressed, recognised by its magic bytes <c>1f 8b</c>, not its name.</summary>
internal static class CompressedFile
{
    /// <summary>True when the stream starts with the gzip magic bytes; the stream is left at its start.</summary>
    public static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int n = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    /// <summary>
    /// Opens <paramref name="path"/> for reading: the decompressed content (bounded by <paramref name="maxBytes"/>)
    /// when it is gzip, the raw bytes otherwise.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The decompression bound.</param>
    /// <param name="isGzip">Whether the file was gzip.</param>
    /// <param name="rawLength">The file's length on disk.</param>
    /// <returns>A forward-only stream of the content.</returns>
    public static Stream Open(string path, long maxBytes, out bool isGzip, out long rawLength)
    {
        FileStream file = OpenExisting(path);
        try
        {
            rawLength = file.Length;
            isGzip = IsGzip(file);
            if (!isGzip) return file;
            return new BoundedReadStream(new GZipStream(file, CompressionMode.Decompress), maxBytes, path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing file for sequential reading with a clear error when it is missing.</summary>
    public static FileStream OpenExisting(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException ex)
        {
            throw new FileNotFoundException($"The data file '{path}' does not exist. Check the path (or the data root) and that the download completed.", path, ex);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new FileNotFoundException($"The data file '{path}' does not exist (its folder is missing). Check the path (or the data root).", path, ex);
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stream ends, turning zlib errors into a named error.</summary>
    /// <returns>The bytes read.</returns>
    public static int ReadFully(Stream stream, Span<byte> buffer, string sourceName)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException ex)
        {
            throw new DataFormatException(sourceName, "the compressed data are corrupt or truncated (" + ex.Message + "); download the file again.", ex);
        }
    }
}
