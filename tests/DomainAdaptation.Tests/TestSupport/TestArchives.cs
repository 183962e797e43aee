using System.Formats.Tar;
using System.IO.Compression;

namespace DomainAdaptation.Tests.TestSupport;

/// <summary>Builds small tar.gz archives for tests, including hostile ones: the tests' one archive helper (write them into a <see cref="TempDirectory"/>).</summary>
internal static class TestArchives
{
    /// <summary>Writes <paramref name="files"/> (after the raw <paramref name="extra"/> entries) as a GNU tar.gz and returns <paramref name="path"/>.</summary>
    public static string WriteTarGz(string path, IEnumerable<(string Name, byte[] Content)> files, IEnumerable<TarEntry>? extra = null)
    {
        using FileStream file = System.IO.File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true);
        foreach (TarEntry entry in extra ?? []) tar.WriteEntry(entry);
        foreach ((string name, byte[] content) in files)
        {
            var entry = new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
            tar.WriteEntry(entry);
        }

        return path;
    }

    public static TarEntry Entry(string name, byte[] content) =>
        new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
}
