using System.Globalization;

namespace DomainAdaptation.Data.Download;

/// <summary>
/// One file a data set needs: where it lives relative to a data folder (the same relative path on every mirror), and
/// the checksum that proves it is the right file.
/// </summary>
public sealed record DataFile
{
    /// <summary>Describes a file.</summary>
    /// <param name="relativePath">The path under a data folder and under each mirror's base URL, with '/' separators, e.g. <c>mnist/train-images-idx3-ubyte.gz</c>.</param>
    /// <param name="checksumKind">What <paramref name="sha256"/> covers.</param>
    /// <param name="sha256">64 hexadecimal digits.</param>
    /// <param name="description">A human name, e.g. "MNIST train images".</param>
    /// <param name="origin">Where the original comes from, for messages.</param>
    /// <exception cref="ArgumentException">When the path is absolute or climbs with '..', or the checksum is not 64 hex digits.</exception>
    public DataFile(string relativePath, ChecksumKind checksumKind, string sha256, string description, string origin)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(sha256);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentNullException.ThrowIfNull(origin);
        string normalised = relativePath.Replace('\\', '/');
        if (normalised.StartsWith('/') || Path.IsPathRooted(relativePath) || normalised.Split('/').Any(s => s is ".." or "." or ""))
        {
            throw new ArgumentException($"A data file's path must be relative without '.', '..' or empty segments, but was '{relativePath}'.", nameof(relativePath));
        }

        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"The SHA-256 of '{relativePath}' must be 64 hexadecimal digits, but was '{sha256}'.", nameof(sha256));
        }

        if (!Enum.IsDefined(checksumKind)) throw new ArgumentOutOfRangeException(nameof(checksumKind), checksumKind, "Unknown checksum kind.");

        RelativePath = normalised;
        ChecksumKind = checksumKind;
        Sha256 = sha256.ToLower(CultureInfo.InvariantCulture);
        Description = description;
        Origin = origin;
    }

    /// <summary>The path under a data folder and a mirror, '/'-separated.</summary>
    public string RelativePath { get; }

    /// <summary>What <see cref="Sha256"/> covers.</summary>
    public ChecksumKind ChecksumKind { get; }

    /// <summary>The expected SHA-256, 64 lower-case hex digits.</summary>
    public string Sha256 { get; }

    /// <summary>A human name.</summary>
    public string Description { get; }

    /// <summary>Where the original comes from.</summary>
    public string Origin { get; }

    /// <summary>
    /// The relative paths accepted in a data folder, preferred first: <see cref="RelativePath"/> and, for a content
    /// checksum on a <c>.gz</c> file, the decompressed name without <c>.gz</c>.
    /// </summary>
    public IReadOnlyList<string> AcceptedRelativePaths =>
        ChecksumKind == ChecksumKind.ContentSha256 && RelativePath.EndsWith(".gz", StringComparison.Ordinal)
            ? [RelativePath, RelativePath[..^3]]
            : [RelativePath];

    /// <inheritdoc />
    public override string ToString() => $"{RelativePath} ({Description})";
}
