using System.Formats.Tar;
using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using DomainAdaptation.Data.Formats;

namespace DomainAdaptation.Benchmarks.Micro;

/// <summary>
/// The PNG decoder's CRC-32 (the library's table-driven <c>Formats/Crc32</c>) against System.IO.Hashing's vectorised
/// <see cref="System.IO.Hashing.Crc32"/>, on what the decoder checksums when it loads the MNIST-M release: every
/// chunk (type + data) of the first 5,000 PNGs of <c>mnist_m/mnist_m.tar.gz</c>, one checksum per chunk.
/// Run: <c>dotnet run -c Release --project benchmarks/DomainAdaptation.Benchmarks.Micro -- --filter '*Crc32*'</c>.
/// </summary>
public class Crc32Benchmarks
{
    private (byte[] File, int Start, int Length)[] _chunks = [];

    /// <summary>The bytes checked, for the report.</summary>
    public long Bytes { get; private set; }

    /// <summary>Reads the PNGs and splits them into the spans the decoder checksums.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string data = Environment.GetEnvironmentVariable("DOMAINADAPTATION_DATA") ?? Path.Combine("..", "shared", "data");
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(data, "mnist_m", "mnist_m.tar.gz")), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var chunks = new List<(byte[], int, int)>();
        int files = 0;
        while (files < 5000 && tar.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null || !entry.Name.EndsWith(".png", StringComparison.Ordinal)) continue;
            using var copy = new MemoryStream();
            entry.DataStream.CopyTo(copy);
            byte[] png = copy.ToArray();
            for (int pos = 8; pos + 12 <= png.Length;)
            {
                int length = (png[pos] << 24) | (png[pos + 1] << 16) | (png[pos + 2] << 8) | png[pos + 3];
                chunks.Add((png, pos + 4, length + 4));
                pos += 12 + length;
            }

            files++;
        }

        _chunks = [.. chunks];
        Bytes = _chunks.Sum(c => (long)c.Length);
        Console.WriteLine($"// {files} PNGs, {_chunks.Length} chunks, {Bytes} bytes checksummed");
    }

    /// <summary>The library's table-driven CRC-32.</summary>
    [Benchmark(Baseline = true)]
    public uint Library()
    {
        uint x = 0;
        foreach (var (file, start, length) in _chunks) x ^= Crc32.Compute(file.AsSpan(start, length));
        return x;
    }

    /// <summary>System.IO.Hashing's CRC-32.</summary>
    [Benchmark]
    public uint SystemIOHashing()
    {
        uint x = 0;
        foreach (var (file, start, length) in _chunks) x ^= System.IO.Hashing.Crc32.HashToUInt32(file.AsSpan(start, length));
        return x;
    }
}
