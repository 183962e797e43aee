namespace DomainAdaptation.Data.Formats;

/// <summary>
/// A data file (or an entry inside an archive) does not have the content its format requires: a wrong magic
/// number, a truncated file, a bad label line, a corrupt image. The message names the file, what was wrong and
/// what to do about it.
/// </summary>
public sealed class DataFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file (or <c>archive!entry</c>) that is wrong.</param>
    /// <param name="message">What was wrong and what to do; the file is prepended.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public DataFormatException(string filePath, string message, Exception? innerException = null)
        : base($"'{filePath}': {message}", innerException)
    {
        FilePath = filePath;
        Reason = message;
    }

    /// <summary>The file (or <c>archive!entry</c>) that is wrong.</summary>
    public string FilePath { get; }

    /// <summary>The message without the file name.</summary>
    public string Reason { get; }
}
