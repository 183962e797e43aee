namespace DomainAdaptation.Data.Download;

/// <summary>Progress of one download attempt.</summary>
/// <param name="File">The file being downloaded.</param>
/// <param name="Source">The URL it comes from.</param>
/// <param name="BytesReceived">Bytes received so far in this attempt.</param>
/// <param name="TotalBytes">The size the server announced, or null when it did not.</param>
public sealed record DownloadProgress(DataFile File, Uri Source, long BytesReceived, long? TotalBytes)
{
    /// <summary>The fraction done in <c>[0, 1]</c>, or null when the total is unknown.</summary>
    public double? Fraction => TotalBytes is > 0 ? Math.Min(1.0, (double)BytesReceived / TotalBytes.Value) : null;
}
