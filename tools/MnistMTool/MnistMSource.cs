using System.Globalization;
using System.Text;
using DomainAdaptation.Data.Formats;

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
        // come before their label file, so they are held until the labels arrive (≤ 59,001 small PNGs). Read through
        // the library's tar reader (entry-name safety checks, decompression bound).
        var images = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        Dictionary<string, int>? labelOf = null;
        string imagePrefix = $"mnist_m/mnist_m_{split}/";
        string labelName = $"mnist_m/mnist_m_{split}_labels.txt";
        bool Wanted(string name) => name == labelName ||
            (name.StartsWith(imagePrefix, StringComparison.Ordinal) && name.EndsWith(".png", StringComparison.Ordinal) && int.Parse(name.AsSpan(imagePrefix.Length, 8), CultureInfo.InvariantCulture) < limit);
        foreach (ArchiveFile file in TarArchive.ReadFiles(archive, Wanted))
        {
            if (file.Name == labelName)
            {
                labelOf = [];
                foreach (string line in Encoding.ASCII.GetString(file.Content).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    string[] parts = line.Trim().Split(' ');
                    labelOf[parts[0]] = int.Parse(parts[1], CultureInfo.InvariantCulture);
                }
            }
            else
            {
                images[file.Name[imagePrefix.Length..]] = file.Content;
            }

            if (labelOf is not null && images.Count >= Math.Min(limit, labelOf.Count)) break;
        }

        if (labelOf is null) throw new InvalidDataException($"{archive}: no {labelName}.");
        foreach (string name in images.Keys.Order(StringComparer.Ordinal))
        {
            yield return (name, labelOf[name], images[name]);
        }
    }
}
