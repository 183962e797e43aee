using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;

namespace MnistMTool;

/// <summary>Enumerates an MNIST-M split as (file name, label, PNG bytes): from the release tar.gz (streamed) or from a folder with a label file.</summary>
internal static class MnistMSource
{
    public static IEnumerable<(string Name, int Label, byte[] Png)> Read(string path, string split, int limit = int.MaxValue)
    {
        return Directory.Exists(path) ? ReadFolder(path, split, limit) : ReadArchive(path, split, limit);
    }

    private static IEnumerable<(string, int, byte[])> ReadFolder(string folder, string split, int limit)
    {
        string labels = Path.Combine(folder, $"mnist_m_{split}_labels.txt");
        foreach (string line in File.ReadLines(labels).Take(limit))
        {
            string[] parts = line.Split(' ');
            yield return (parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture), File.ReadAllBytes(Path.Combine(folder, $"mnist_m_{split}", parts[0])));
        }
    }

    private static IEnumerable<(string, int, byte[])> ReadArchive(string archive, string split, int limit)
    {
        // The release stores mnist_m_test/, mnist_m_test_labels.txt, mnist_m_train/, mnist_m_train_labels.txt; images
        // come before their label file, so they are held until the labels arrive (≤ 59,001 small PNGs).
        var images = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        Dictionary<string, int>? labelOf = null;
        string imagePrefix = $"mnist_m/mnist_m_{split}/";
        string labelName = $"mnist_m/mnist_m_{split}_labels.txt";
        using (var tar = new TarReader(new GZipStream(File.OpenRead(archive), CompressionMode.Decompress)))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null) continue;
                if (entry.Name.StartsWith(imagePrefix, StringComparison.Ordinal) && entry.Name.EndsWith(".png", StringComparison.Ordinal))
                {
                    string name = entry.Name[imagePrefix.Length..];
                    if (int.Parse(name[..8], CultureInfo.InvariantCulture) < limit)
                    {
                        var buffer = new byte[entry.Length];
                        entry.DataStream.ReadExactly(buffer);
                        images[name] = buffer;
                    }
                }
                else if (entry.Name == labelName)
                {
                    using var reader = new StreamReader(entry.DataStream);
                    labelOf = [];
                    while (reader.ReadLine() is { } line)
                    {
                        string[] parts = line.Split(' ');
                        labelOf[parts[0]] = int.Parse(parts[1], CultureInfo.InvariantCulture);
                    }
                }

                if (labelOf is not null && images.Count >= Math.Min(limit, labelOf.Count)) break;
            }
        }

        if (labelOf is null) throw new InvalidDataException($"{archive}: no {labelName}.");
        foreach (string name in images.Keys.Order(StringComparer.Ordinal))
        {
            yield return (name, labelOf[name], images[name]);
        }
    }
}
