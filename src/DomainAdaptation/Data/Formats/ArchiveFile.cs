namespace DomainAdaptation.Data.Formats;

/// <summary>A regular file read from an archive.</summary>
/// <param name="Name">Its relative name inside the archive, with forward slashes (validated: no absolute path, no <c>..</c>).</param>
/// <param name="Content">Its bytes.</param>
internal sealed record ArchiveFile(string Name, byte[] Content);
