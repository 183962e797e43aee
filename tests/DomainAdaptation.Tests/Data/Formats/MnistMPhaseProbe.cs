using System.Diagnostics;
using System.IO.Compression;
using DomainAdaptation.Data.Formats;
using Xunit.Abstractions;

namespace DomainAdaptation.Tests.Data.Formats;

public class MnistMPhaseProbe(ITestOutputHelper output)
{
    [Fact]
    public void Phases()
    {
        string path = TestData.PathOf("mnist_m", "mnist_m.tar.gz");
        var p = Process.GetCurrentProcess();
        void Mark(string what, Stopwatch w, ref TimeSpan cpu)
        {
            p.Refresh();
            output.WriteLine($"{what}: wall {w.ElapsedMilliseconds} ms cpu {(p.TotalProcessorTime - cpu).TotalMilliseconds:F0} ms");
            cpu = p.TotalProcessorTime; w.Restart();
        }
        var pngs = TarArchive.ReadFiles(path, n => n.Contains("mnist_m_test/")).ToList();
        var w = Stopwatch.StartNew(); var cpu = p.TotalProcessorTime;
        foreach (var f in pngs) PngDecoder.Decode(f.Content, f.Name);
        Mark($"png x{pngs.Count}", w, ref cpu);
        for (int k = 0; k < 3; k++) {
        foreach (var f in pngs) PngDecoder.Decode(f.Content, f.Name, verifyChecksums: false);
        Mark($"png nocrc", w, ref cpu);
        foreach (var f in pngs) PngDecoder.Decode(f.Content, f.Name, verifyChecksums: true);
        Mark($"png crc", w, ref cpu);
        var dst = new byte[3072];
        foreach (var f in pngs) PngDecoder.Decode(f.Content, f.Name, verifyChecksums: true).CopyToPlanar(dst, 3);
        Mark($"png crc+planar", w, ref cpu);
        }
        var buf = new byte[3104];
        foreach (var f in pngs) { using var z = new ZLibStream(new MemoryStream(f.Content, 41, f.Content.Length - 41 - 12), CompressionMode.Decompress); z.ReadAtLeast(buf, buf.Length, false); }
        Mark("zlib readatleast", w, ref cpu);
        foreach (var f in pngs) { using var z = new ZLibStream(new MemoryStream(f.Content, 41, f.Content.Length - 41 - 12), CompressionMode.Decompress); z.ReadAtLeast(buf, buf.Length, false); _ = z.Read(buf.AsSpan(0, 1)); }
        Mark("zlib readatleast+probe", w, ref cpu);
        foreach (var f in pngs) { using var z = new ZLibStream(new MemoryStream(f.Content, 41, f.Content.Length - 41 - 12), CompressionMode.Decompress); z.CopyTo(Stream.Null); }
        Mark("zlib copyto", w, ref cpu);
    }
}
