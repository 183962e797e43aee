using System.Formats.Tar;

namespace DomainAdaptation.Data.Formats;

/// <summary>Checks archive entry names and types: archives are untrusted input.</summary>
internal static class ArchiveEntryNames
{
    /// <summary>
    /// Returns the entry's normalised relative name (forward slashes, no leading <c>./</c>, no trailing slash), or
    /// throws when the name is absolute, contains a <c>..</c> segment, a drive letter or a NUL, or when the entry
    /// is a link or a device.
    /// </summary>
    /// <param name="entry">The entry.</param>
    /// <param name="archivePath">The archive, for messages.</param>
    /// <returns>The safe relative name.</returns>
    public static string Validate(TarEntry entry, string archivePath)
    {
        string name = ValidateName(entry.Name, archivePath);
        switch (entry.EntryType)
        {
            case TarEntryType.SymbolicLink:
            case TarEntryType.HardLink:
                throw new DataFormatException(archivePath,
                    $"the entry '{entry.Name}' is a link (to '{entry.LinkName}'); links in data archives are rejected because they can point outside the destination. Use the original archive.");
            case TarEntryType.BlockDevice:
            case TarEntryType.CharacterDevice:
            case TarEntryType.Fifo:
                throw new DataFormatException(archivePath,
                    $"the entry '{entry.Name}' is a {entry.EntryType}, which has no place in a data archive. Use the original archive.");
        }

        return name;
    }

    /// <summary>Validates and normalises an entry name (see <see cref="Validate"/>).</summary>
    public static string ValidateName(string rawName, string archivePath)
    {
        if (string.IsNullOrEmpty(rawName))
        {
            throw new DataFormatException(archivePath, "an entry has an empty name. Use the original archive.");
        }

        string name = rawName.Replace('\\', '/');
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new DataFormatException(archivePath, $"the entry name '{rawName.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character; the archive is rejected.");
        }

        if (name.StartsWith('/') || (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0])))
        {
            throw new DataFormatException(archivePath,
                $"the entry '{rawName}' has an absolute path; entries must be relative. The archive is rejected (nothing was written or read outside the destination).");
        }

        while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        name = name.TrimEnd('/');
        foreach (string segment in name.Split('/'))
        {
            if (segment == "..")
            {
                throw new DataFormatException(archivePath,
                    $"the entry '{rawName}' contains a '..' segment, which could reach outside the destination. The archive is rejected.");
            }
        }

        return name;
    }
}
