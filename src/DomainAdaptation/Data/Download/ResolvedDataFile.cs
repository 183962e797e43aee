namespace DomainAdaptation.Data.Download;

/// <summary>A data file found (and verified) on disk.</summary>
/// <param name="File">The file that was asked for.</param>
/// <param name="Path">Its full path on disk (for a content checksum possibly the decompressed copy without <c>.gz</c>).</param>
/// <param name="Source">Where it was found.</param>
/// <param name="Verified">True when its checksum was computed and matched now (false when verification of existing files is off).</param>
public sealed record ResolvedDataFile(DataFile File, string Path, DataFileSource Source, bool Verified);
