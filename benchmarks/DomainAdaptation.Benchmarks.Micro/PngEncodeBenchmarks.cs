using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Generation;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;
using StbImageWriteSharp;

namespace DomainAdaptation.Benchmarks.Micro;

/// <summary>
/// PNG encoders on what MNIST-M generation writes: the pixels of the first 500 PNGs of the MNIST-M release (32×32 RGB,
/// decoded once in setup), each encoded to a PNG in memory — the library's path (<c>SkiaImageEncoder</c>, as
/// <c>MnistMGenerator</c> calls it: the RGB copied to opaque RGBA, then SkiaSharp), SkiaSharp's encoder on a ready RGBA
/// bitmap (Skia has no 24-bit colour type), ImageSharp 2.1 and StbImageWriteSharp 1.16. (The hand-written encoder this
/// replaced, measured in this class before it went: 82.2 ms against SkiaSharp's 63.3 ms; docs/dependencies.md.) One operation encodes the whole set on one thread;
/// the setup prints each encoder's total output size.
/// Run: <c>dotnet run -c Release --project benchmarks/DomainAdaptation.Benchmarks.Micro -- --filter '*PngEncode*'</c>.
/// </summary>
[MemoryDiagnoser]
public class PngEncodeBenchmarks
{
    private byte[][] _rgb = [];
    private byte[][] _rgba = [];

    /// <summary>Decodes the images.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string data = Environment.GetEnvironmentVariable("DOMAINADAPTATION_DATA") ?? Path.Combine("..", "shared", "data");
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(data, "mnist_m", "mnist_m.tar.gz")), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var images = new List<byte[]>();
        while (images.Count < 500 && tar.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null || !entry.Name.EndsWith(".png", StringComparison.Ordinal)) continue;
            using var copy = new MemoryStream();
            entry.DataStream.CopyTo(copy);
            images.Add(PngDecoder.Decode(copy.ToArray(), entry.Name).ToRgb().Pixels.ToArray());
        }

        _rgb = [.. images];
        _rgba = _rgb.Select(p =>
        {
            var rgba = new byte[p.Length / 3 * 4];
            for (int i = 0, j = 0; i < p.Length; i += 3, j += 4) (rgba[j], rgba[j + 1], rgba[j + 2], rgba[j + 3]) = (p[i], p[i + 1], p[i + 2], 255);
            return rgba;
        }).ToArray();
        Console.WriteLine($"// output bytes: library {Library()}, SkiaSharp {SkiaSharp()}, ImageSharp {ImageSharp()}, StbImageWriteSharp {StbImageWriteSharp()}");
    }

    /// <summary>The library's path: SkiaImageEncoder as MNIST-M generation calls it (RGB copied to opaque RGBA, then SkiaSharp).</summary>
    [Benchmark(Baseline = true)]
    public long Library()
    {
        long bytes = 0;
        foreach (byte[] p in _rgb) bytes += SkiaImageEncoder.EncodePng(p, 32, 32, 3, PngFilterStrategy.Adaptive, "benchmark.png").Length;
        return bytes;
    }

    /// <summary>SkiaSharp's PNG encoder (default options: all filters, zlib level 6).</summary>
    [Benchmark]
    public long SkiaSharp()
    {
        long bytes = 0;
        var info = new SKImageInfo(32, 32, SKColorType.Rgba8888, SKAlphaType.Opaque);
        foreach (byte[] p in _rgba)
        {
            var pin = GCHandle.Alloc(p, GCHandleType.Pinned);
            try
            {
                using var pixmap = new SKPixmap(info, pin.AddrOfPinnedObject());
                using SKData png = pixmap.Encode(SKPngEncoderOptions.Default) ?? throw new InvalidOperationException("SkiaSharp did not encode the image.");
                bytes += png.Size;
            }
            finally
            {
                pin.Free();
            }
        }

        return bytes;
    }

    /// <summary>ImageSharp 2.1.</summary>
    [Benchmark]
    public long ImageSharp()
    {
        long bytes = 0;
        foreach (byte[] p in _rgb)
        {
            using Image<Rgb24> image = SixLabors.ImageSharp.Image.LoadPixelData<Rgb24>(p, 32, 32);
            using var output = new MemoryStream();
            image.SaveAsPng(output);
            bytes += output.Length;
        }

        return bytes;
    }

    /// <summary>StbImageWriteSharp (a C# port of stb_image_write).</summary>
    [Benchmark]
    public long StbImageWriteSharp()
    {
        long bytes = 0;
        var writer = new ImageWriter();
        foreach (byte[] p in _rgb)
        {
            using var output = new MemoryStream();
            writer.WritePng(p, 32, 32, global::StbImageWriteSharp.ColorComponents.RedGreenBlue, output);
            bytes += output.Length;
        }

        return bytes;
    }
}
