using System.IO.Compression;
using System.Security.Cryptography;
using DomainAdaptation.Data.Formats;

namespace DomainAdaptation.Data.Download;

/// <summary>Computes the SHA-256 a <see cref="DataFile"/> is checked against.</summary>
internal static class ContentHasher
{
    /// <summary>
    /// The file's SHA-256 (<see cref="ChecksumKind.FileSha256"/>), or that of its content (<see cref="ChecksumKind.ContentSha256"/>:
    /// decompressed when the file starts with the gzip magic 1F 8B, stopping past <paramref name="maxContentBytes"/>).
    /// </summary>
    /// <returns>64 lower-case hex digits.</returns>
    /// <exception cref="InvalidDataException">When a gzip file is corrupt or decompresses past the bound.</exception>
    public static string Compute(string path, ChecksumKind kind, long maxContentBytes, CancellationToken cancellationToken) =>
        ComputeAsync(path, kind, maxContentBytes, cancellationToken, useAsync: false).GetAwaiter().GetResult();

    /// <inheritdoc cref="Compute"/>
    public static Task<string> ComputeAsync(string path, ChecksumKind kind, long maxContentBytes, CancellationToken cancellationToken) =>
        ComputeAsync(path, kind, maxContentBytes, cancellationToken, useAsync: true);

    private static async Task<string> ComputeAsync(string path, ChecksumKind kind, long maxContentBytes, CancellationToken cancellationToken, bool useAsync)
    {
        await using FileStream file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync);
        Stream content = file;
        if (kind == ChecksumKind.ContentSha256)
        {
            byte[] magic = new byte[2];
            int read = await file.ReadAtLeastAsync(magic, 2, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            file.Position = 0;
            if (read == 2 && magic[0] == 0x1F && magic[1] == 0x8B)
            {
                content = new BoundedReadStream(new GZipStream(file, CompressionMode.Decompress, leaveOpen: true), maxContentBytes, path);
            }
        }

        try
        {
            byte[] hash = await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false);
            return Convert.ToHexStringLower(hash);
        }
        catch (DataFormatException ex)
        {
            // Decompressed past the bound: reported, like corrupt gzip data, as the InvalidDataException callers handle.
            throw new InvalidDataException(ex.Message, ex);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid gzip data: {ex.Message}", ex);
        }
        finally
        {
            if (!ReferenceEquals(content, file)) await content.DisposeAsync().ConfigureAwait(false);
        }
    }
}
