using DomainAdaptation.Data;
using DomainAdaptation.Data.Datasets;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Generation;
using DomainAdaptation.Tests.Data.Generation;
using DomainAdaptation.Tests.TestSupport;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Formats;

/// <summary>
/// The parsers that read users' files, fed mutants of real seed files (Mutations: seeded, deterministic). Each must
/// accept the input or refuse it with the library's typed error (<see cref="DataFormatException"/>, for checkpoints
/// <see cref="CheckpointException"/>) naming the file, and no input may make it allocate more managed memory than the
/// bound it states (the decoders' pixel limits, the tar reader's decompression limit, 1–4 MiB for the text and
/// checkpoint readers); anything else — an IndexOutOfRange, an OutOfMemory, a native crash — fails. CI runs a short
/// slice; the benchmark-scale run (docs/data-formats.md, "Fuzzing") sets DOMAINADAPTATION_FUZZ_ITERATIONS=1000000 and
/// DOMAINADAPTATION_FUZZ_REPORT to collect the counts.
/// </summary>
[Collection(TorchSerial.Name)]
public class ParserFuzzTests
{
    private const long Mi = 1 << 20;

    private static bool Typed(Exception ex) => ex is DataFormatException;

    [Fact]
    public void PngDecoder_MutatedRealPngs_AcceptOrDataFormatError()
    {
        List<byte[]> seeds = RealMnistMPngs(3);
        seeds.Add(SkiaImageEncoder.EncodePng(Enumerable.Range(0, 8 * 5).Select(i => (byte)(i * 9)).ToArray(), 8, 5, 1, PngFilterStrategy.Adaptive, "grey.png"));

        var (accepted, refused) = Mutations.Run(seeds, Mutations.Iterations(3000), b => PngDecoder.Decode(b, "fuzz.png", maxPixels: 1 << 16), Typed, allocationBound: (4 << 16) + Mi);

        (accepted + refused).Should().Be(Mutations.Iterations(3000));
        refused.Should().BePositive("most mutations break a checksum or a length");
    }

    [Fact]
    public void SkiaImageDecoder_MutatedRealJpeg_AcceptOrDataFormatError()
    {
        byte[] jpeg = File.ReadAllBytes(SharedDataFolder.Require("bsds500/train/2092.jpg"));

        var (accepted, refused) = Mutations.Run([jpeg], Mutations.Iterations(300), b => SkiaImageDecoder.Decode(b, "fuzz.jpg", 1L << 20), Typed, allocationBound: (4 << 20) + Mi);

        (accepted + refused).Should().Be(Mutations.Iterations(300));
    }

    [Fact]
    public void MnistMLabelFile_MutatedLabelFile_AcceptOrDataFormatError()
    {
        byte[] labels = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 40).Select(i => $"{i:D8}.png {i * 7 % 10}\n")));

        var (accepted, refused) = Mutations.Run([labels], Mutations.Iterations(5000), b => MnistMLabelFile.Parse(b, "fuzz_labels.txt"), Typed, allocationBound: Mi);

        refused.Should().BePositive();
        accepted.Should().BePositive("a mutation inside a label or a name can leave a valid file");
    }

    [Fact]
    public void MnistIdx_MutatedRealIdxFiles_AcceptOrDataFormatError()
    {
        // Seeds: the real t10k files cut to 20 images / 20 labels with their headers' counts set to match.
        byte[] images = Gunzip(SharedDataFolder.Require("mnist/t10k-images-idx3-ubyte.gz"))[..(16 + (20 * 784))];
        byte[] labels = Gunzip(SharedDataFolder.Require("mnist/t10k-labels-idx1-ubyte.gz"))[..(8 + 20)];
        images.AsSpan(4, 4).Clear(); // (a range of an array is a copy: clear the span itself)
        images[7] = 20;
        labels.AsSpan(4, 4).Clear();
        labels[7] = 20;
        using var temp = new TempDirectory();
        string path = temp.Combine("fuzz-idx-ubyte");
        void Parse(byte[] b)
        {
            File.WriteAllBytes(path, b);
            using var scope = NewDisposeScope();
            if (b.Length > 3 && b[3] == 1) MnistIdx.ReadLabels(path);
            else MnistIdx.ReadImages(path);
        }

        Parse(images);
        Parse(labels);
        var (accepted, refused) = Mutations.Run([images, labels], Mutations.Iterations(1500), Parse, Typed, allocationBound: Mi);

        (accepted + refused).Should().Be(Mutations.Iterations(1500));
        refused.Should().BePositive();
    }

    [Fact]
    public void TarArchive_MutatedTarGzOfRealPngs_AcceptOrDataFormatError()
    {
        using var temp = new TempDirectory();
        List<byte[]> pngs = RealMnistMPngs(3);
        byte[] archive = File.ReadAllBytes(TestArchives.WriteTarGz(temp.Combine("seed.tar.gz"), pngs.Select((p, i) => ($"mnist_m/mnist_m_test/{i:D8}.png", p))));
        byte[] plainTar = Gunzip(temp.Combine("seed.tar.gz"));
        string path = temp.Combine("fuzz.tar.gz");

        var (accepted, refused) = Mutations.Run([archive, plainTar], Mutations.Iterations(1500), b =>
        {
            File.WriteAllBytes(path, b);
            foreach (ArchiveFile file in TarArchive.ReadFiles(path, options: new DataLoadOptions { MaxDecompressedBytes = 1 << 20 }))
            {
                _ = file.Content.Length;
            }
        }, Typed, allocationBound: 4 * Mi);

        (accepted + refused).Should().Be(Mutations.Iterations(1500));
        refused.Should().BePositive();
    }

    [Fact]
    public void ImageList_MutatedCsv_AcceptOrDataFormatError()
    {
        // Seed: a real image list (header, quoted path with a comma, absolute path) over real MNIST-M PNGs beside it.
        using var temp = new TempDirectory();
        List<byte[]> pngs = RealMnistMPngs(3);
        string[] names = ["a.png", "b,c.png", "sub/d.png"];
        for (int i = 0; i < names.Length; i++)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(temp.Combine(names[i]))!);
            File.WriteAllBytes(temp.Combine(names[i]), pngs[i]);
        }

        byte[] csv = System.Text.Encoding.UTF8.GetBytes($"path,label\na.png,cat\n\"b,c.png\",dog\n{temp.Combine("sub/d.png")}, cat \nsub/d.png,dog\n");
        string path = temp.Combine("list.csv");

        var (accepted, refused) = Mutations.Run([csv], Mutations.Iterations(1500), b =>
        {
            File.WriteAllBytes(path, b);
            using var scope = NewDisposeScope();
            ImageList.Load(path, new ImageFolderOptions { Height = 8, Width = 8 }).Dispose();
        }, Typed, allocationBound: 4 * Mi);

        refused.Should().BePositive();
        accepted.Should().BePositive("a mutation inside a label can leave a valid list");
    }

    [Fact]
    public void CheckpointFormat_MutatedRealCheckpoint_AcceptOrCheckpointError()
    {
        // Seed: a real checkpoint of a 3-step run (model, DANN's discriminator, SGD momentum, metadata JSON). Mutants
        // are re-hashed before reading, so the parser behind the SHA-256 check is reached too; a second run leaves
        // the hash as mutated, which must be refused by the check itself.
        using var data = SyntheticData.Blobs(12, 12, features: 3, classes: 3, seed: 1);
        using var temp = new TempDirectory();
        var options = new DomainAdaptation.Training.AdaptationTrainerOptions { Steps = 3, BatchSizePerDomain = 4, Checkpoints = { Directory = temp.Combine("run") } };
        string seedPath;
        using (var trainer = TestTrainer.Create(TestModels.Mlp(3, 4, 3, seed: 2), data, options))
        {
            seedPath = trainer.Train().LastCheckpoint!.Path;
        }

        byte[] seed = File.ReadAllBytes(seedPath);
        string path = temp.Combine("fuzz.dann");
        static bool Refusal(Exception ex) => ex is CheckpointException;
        void Parse(byte[] b)
        {
            File.WriteAllBytes(path, b);
            using var scope = NewDisposeScope();
            Checkpoint.ReadInfo(path);
            CheckpointFormat.Read(path).Dispose();
        }

        var (accepted, refused) = Mutations.Run([seed], Mutations.Iterations(1500), b => Parse(Rehash(b)), Refusal, allocationBound: Mi);
        var (rawAccepted, rawRefused) = Mutations.Run([seed], Mutations.Iterations(300), Parse, Refusal, allocationBound: Mi, seed: 2);

        refused.Should().BePositive();
        accepted.Should().BePositive("a flipped weight bit leaves a valid checkpoint");
        rawRefused.Should().Be(Mutations.Iterations(300) - rawAccepted);
        rawAccepted.Should().BeLessThan(Mutations.Iterations(300) / 100, "without a new hash almost every mutant fails the SHA-256 check");
    }

    /// <summary>Rewrites a checkpoint's trailing SHA-256 to match its (mutated) contents.</summary>
    private static byte[] Rehash(byte[] file)
    {
        if (file.Length < 32) return file;
        System.Security.Cryptography.SHA256.HashData(file.AsSpan(0, file.Length - 32), file.AsSpan(file.Length - 32));
        return file;
    }

    private static List<byte[]> RealMnistMPngs(int count) =>
        TarArchive.ReadFiles(SharedDataFolder.Require("mnist_m/mnist_m.tar.gz"), n => n.EndsWith(".png", StringComparison.Ordinal))
            .Take(count).Select(f => f.Content).ToList();

    private static byte[] Gunzip(string path)
    {
        using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        return buffer.ToArray();
    }
}
