using System.Text;
using DomainAdaptation.Tests.TestSupport;

namespace DomainAdaptation.Tests.Data.Formats;

/// <summary>A small MNIST-M-shaped release (32×32 RGB PNGs + label file) written by the test PNG encoder.</summary>
internal sealed class SyntheticMnistM
{
    private SyntheticMnistM(string[] names, int[] labels, byte[][] planar, byte[][] png)
    {
        Names = names;
        Labels = labels;
        Planar = planar;
        Png = png;
    }

    public string[] Names { get; }

    public int[] Labels { get; }

    /// <summary>The expected decoded bytes [3, 32, 32] per image, in label-file order.</summary>
    public byte[][] Planar { get; }

    public byte[][] Png { get; }

    public static SyntheticMnistM Create(int count, int seed)
    {
        var random = new Random(seed);
        var names = new string[count];
        var labels = new int[count];
        var planar = new byte[count][];
        var png = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            // Listed out of name order, to check that label-file order wins.
            names[i] = $"{count - 1 - i:D8}.png";
            labels[i] = random.Next(10);
            byte[] interleaved = TestPng.RandomBytes(32 * 32 * 3, seed * 1000 + i);
            png[i] = TestPng.Encode8(32, 32, 2, interleaved, y => (y + i) % 5);
            planar[i] = new byte[3 * 32 * 32];
            for (int p = 0; p < 32 * 32; p++)
            {
                for (int c = 0; c < 3; c++) planar[i][(c * 1024) + p] = interleaved[(p * 3) + c];
            }
        }

        return new SyntheticMnistM(names, labels, planar, png);
    }

    public string LabelText => string.Concat(Names.Select((n, i) => $"{n} {Labels[i]}\n"));

    /// <summary>Writes <c>root/mnist_m/mnist_m_test/*.png</c> and <c>root/mnist_m/mnist_m_test_labels.txt</c>; returns the release folder.</summary>
    public string WriteFolder(string root, string split = "test", string? labelText = null)
    {
        string release = Path.Combine(root, "mnist_m");
        string images = Path.Combine(release, $"mnist_m_{split}");
        Directory.CreateDirectory(images);
        for (int i = 0; i < Names.Length; i++) File.WriteAllBytes(Path.Combine(images, Names[i]), Png[i]);
        File.WriteAllText(Path.Combine(release, $"mnist_m_{split}_labels.txt"), labelText ?? LabelText, Encoding.ASCII);
        return release;
    }

    /// <summary>Writes the release as the authors' archive lays it out (images first, then the label file).</summary>
    public string WriteArchive(string path, string split = "test", string? labelText = null, IEnumerable<(string, byte[])>? extra = null)
    {
        var files = new List<(string, byte[])>();
        for (int i = Names.Length - 1; i >= 0; i--) files.Add(($"mnist_m/mnist_m_{split}/{Names[i]}", Png[i]));
        files.AddRange(extra ?? []);
        files.Add(($"mnist_m/mnist_m_{split}_labels.txt", Encoding.ASCII.GetBytes(labelText ?? LabelText)));
        TestArchives.WriteTarGz(path, files);
        return path;
    }
}
