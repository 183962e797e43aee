namespace DomainAdaptation.Training.Checkpoints;

/// <summary>
/// A checkpoint cannot be used: the file is missing, truncated or corrupted, or it does not match the model or the
/// options it is loaded into. The message names the file and what was wrong.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The checkpoint file or folder.</param>
    /// <param name="message">What was wrong.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public CheckpointException(string path, string message, Exception? inner = null)
        : base($"Checkpoint '{path}': {message}", inner)
    {
        Path = path;
    }

    /// <summary>The checkpoint file or folder.</summary>
    public string Path { get; }
}
