using System.Formats.Tar;
using System.IO.Compression;

namespace DomainAdaptation.Tests.Data.Formats;

/// <summary>Builds small tar / tar.gz archives for tests, including hostile ones.</summary>
internal static class TestArchives
{
    public static void WriteTarGz(string path, IEnumerable<(string Name, byte[] Content)> files, IEnumerable<TarEntry>? extra = null)
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
    }

    public static TarEntry Entry(string name, byte[] content) =>
        new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
}
