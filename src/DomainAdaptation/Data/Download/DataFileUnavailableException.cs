namespace DomainAdaptation.Data.Download;

/// <summary>
/// Thrown when required data files are neither on disk nor downloadable (offline mode, or every mirror failed). The
/// message lists every missing file, every place it may be put, and why each mirror failed.
/// </summary>
public sealed class DataFileUnavailableException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full explanation.</param>
    /// <param name="missingFiles">The files that could not be resolved.</param>
    /// <param name="innerException">The last download error, if any.</param>
    public DataFileUnavailableException(string message, IReadOnlyList<DataFile> missingFiles, Exception? innerException = null)
        : base(message, innerException)
    {
        MissingFiles = missingFiles;
    }

    /// <summary>The files that could not be resolved.</summary>
    public IReadOnlyList<DataFile> MissingFiles { get; }
}
