using System.Formats.Tar;
using System.IO.Compression;

namespace DomainAdaptation.Tests.Data.Generation;

/// <summary>Writes small .tar.gz files for archive tests into a temporary folder that is deleted on dispose.</summary>
internal sealed class TestArchives : IDisposable
{
    public TestArchives()
    {
        Folder = Path.Combine(Path.GetTempPath(), "da-archives-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public string Write(string fileName, IEnumerable<(string Name, byte[] Content)> entries, TarEntryType type = TarEntryType.RegularFile)
    {
        string path = Path.Combine(Folder, fileName);
        using (FileStream file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
        {
            foreach ((string name, byte[] content) in entries)
            {
                var entry = new PaxTarEntry(type, name) { DataStream = new MemoryStream(content) };
                tar.WriteEntry(entry);
            }
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
