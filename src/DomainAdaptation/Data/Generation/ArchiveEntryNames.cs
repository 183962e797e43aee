namespace DomainAdaptation.Data.Generation;

/// <summary>Checks the names of entries in untrusted archives.</summary>
internal static class ArchiveEntryNames
{
    /// <summary>
    /// Rejects a name that is absolute (<c>/x</c>, <c>\x</c>, <c>C:x</c>) or has a <c>..</c> segment: such an entry could
    /// point outside any destination folder, so the whole archive is treated as hostile.
    /// </summary>
    /// <param name="archive">The archive's path, for the message.</param>
    /// <param name="name">The entry's name as stored.</param>
    /// <exception cref="InvalidDataException">When the name is unsafe.</exception>
    public static void EnsureSafe(string archive, string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{archive}': an entry has an empty or NUL-containing name; the archive is rejected as unsafe.");
        }

        bool absolute = name[0] is '/' or '\\' || (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]));
        bool climbs = name.Split('/', '\\').Any(segment => segment == "..");
        if (absolute || climbs)
        {
            throw new InvalidDataException(
                $"'{archive}': entry '{name}' has {(absolute ? "an absolute path" : "a '..' segment")}; the archive is rejected as unsafe " +
                "(entries must be relative paths inside the archive).");
        }
    }
}
