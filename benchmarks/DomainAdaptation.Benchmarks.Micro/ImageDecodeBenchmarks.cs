using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using DomainAdaptation.Data.Formats;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;
using StbImageSharp;

namespace DomainAdaptation.Benchmarks.Micro;

/// <summary>
/// The image decoders the library could use, on real files held in memory, each to tight RGBA rows: SkiaSharp (what
/// the library uses for JPEG, BMP, GIF and WebP: <c>SKCodec.GetPixels</c> into a pinned buffer), StbImageSharp 2.30,
/// ImageSharp 2.1 and, for PNG, the library's own managed <see cref="PngDecoder"/> (CRC and Adler-32 checked).
/// <c>jpeg</c>: the first 50 of BSDS500's training photos (481×321 JPEGs, from <c>$DOMAINADAPTATION_DATA/bsds500/train</c>);
/// <c>png</c>: the first 500 PNGs of the MNIST-M release (32×32, read from <c>mnist_m/mnist_m.tar.gz</c>). One
/// operation decodes the whole set, sequentially on one thread.
/// Run: <c>dotnet run -c Release --project benchmarks/DomainAdaptation.Benchmarks.Micro -- --filter '*ImageDecode*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ImageDecodeBenchmarks
{
    private byte[][] _files = [];

    /// <summary>Which set of files.</summary>
    [Params("jpeg", "png")]
    public string Set { get; set; } = "jpeg";

    /// <summary>Reads the files into memory.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string data = Environment.GetEnvironmentVariable("DOMAINADAPTATION_DATA") ?? Path.Combine("..", "shared", "data");
        _files = Set == "jpeg"
            ? Directory.GetFiles(Path.Combine(data, "bsds500", "train"), "*.jpg").Order(StringComparer.Ordinal).Take(50).Select(File.ReadAllBytes).ToArray()
            : ReadPngs(Path.Combine(data, "mnist_m", "mnist_m.tar.gz"), 500);
        if (_files.Length == 0) throw new InvalidOperationException($"No {Set} files found under '{Path.GetFullPath(data)}'.");
    }

    private static byte[][] ReadPngs(string archive, int count)
    {
        using var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var files = new List<byte[]>();
        while (files.Count < count && tar.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null || !entry.Name.EndsWith(".png", StringComparison.Ordinal)) continue;
            using var copy = new MemoryStream();
            entry.DataStream.CopyTo(copy);
            files.Add(copy.ToArray());
        }

        return files.ToArray();
    }

    /// <summary>SkiaSharp, as the library calls it.</summary>
    [Benchmark(Baseline = true)]
    public long SkiaSharp()
    {
        long sum = 0;
        foreach (byte[] file in _files)
        {
            using SKData skData = SKData.CreateCopy(file);
            using SKCodec codec = SKCodec.Create(skData);
            var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            var pixels = new byte[(long)info.RowBytes * info.Height];
            var pin = GCHandle.Alloc(pixels, GCHandleType.Pinned);
            try
            {
                codec.GetPixels(info, pin.AddrOfPinnedObject());
            }
            finally
            {
                pin.Free();
            }

            sum += pixels[^1];
        }

        return sum;
    }

    /// <summary>StbImageSharp (a C# port of stb_image).</summary>
    [Benchmark]
    public long StbImageSharp()
    {
        long sum = 0;
        foreach (byte[] file in _files)
        {
            ImageResult image = ImageResult.FromMemory(file, ColorComponents.RedGreenBlueAlpha);
            sum += image.Data[^1];
        }

        return sum;
    }

    /// <summary>ImageSharp 2.1.</summary>
    [Benchmark]
    public long ImageSharp()
    {
        long sum = 0;
        foreach (byte[] file in _files)
        {
            using Image<Rgba32> image = SixLabors.ImageSharp.Image.Load<Rgba32>(file);
            var pixels = new byte[image.Width * image.Height * 4];
            image.CopyPixelDataTo(pixels);
            sum += pixels[^1];
        }

        return sum;
    }

    /// <summary>The library's managed PNG decoder (PNG only; checksums verified, as the library reads by default).</summary>
    [Benchmark]
    public long LibraryPngDecoder()
    {
        if (Set != "png") return 0;
        long sum = 0;
        foreach (byte[] file in _files)
        {
            DecodedImage image = PngDecoder.Decode(file, "benchmark.png");
            sum += image.Pixels[^1];
        }

        return sum;
    }
}
