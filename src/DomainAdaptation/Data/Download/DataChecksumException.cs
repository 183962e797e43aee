namespace DomainAdaptation.Data.Download;

/// <summary>Thrown when a data file on disk has a checksum other than the expected one.</summary>
public sealed class DataChecksumException : IOException
{
    /// <summary>
    /// Creates the exception for a file the user has (a data folder, the API's data root) with the advice every path
    /// gives for it, so that the same file gives the same message through <see cref="DataSetResolver"/> and the loaders.
    /// </summary>
    /// <param name="file">The file that was checked.</param>
    /// <param name="path">Where it is on disk.</param>
    /// <param name="actualSha256">The checksum found.</param>
    public DataChecksumException(DataFile file, string path, string actualSha256)
        : this(file, path, actualSha256, ReplaceAdvice(file))
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file that was checked.</param>
    /// <param name="path">Where it is on disk.</param>
    /// <param name="actualSha256">The checksum found.</param>
    /// <param name="advice">What to do about it.</param>
    public DataChecksumException(DataFile file, string path, string actualSha256, string advice)
        : base($"'{path}' ({file.Description}) has the wrong content: its {(file.ChecksumKind == ChecksumKind.ContentSha256 ? "content " : string.Empty)}SHA-256 is {actualSha256}, " +
               $"expected {file.Sha256}. {advice}")
    {
        File = file;
        Path = path;
        ActualSha256 = actualSha256;
    }

    /// <summary>The file that was checked.</summary>
    public DataFile File { get; }

    private static string ReplaceAdvice(DataFile file) =>
        $"It is damaged or another file under the same name; replace it with the original ({file.Origin}).";

    /// <summary>Where it is on disk.</summary>
    public string Path { get; }

    /// <summary>The checksum found.</summary>
    public string ActualSha256 { get; }
}
