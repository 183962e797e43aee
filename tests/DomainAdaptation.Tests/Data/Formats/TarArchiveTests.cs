using System.Formats.Tar;
using System.IO.Compression;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Tests.TestSupport;

namespace DomainAdaptation.Tests.Data.Formats;

public class TarArchiveTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void ReadFiles_GoodArchive_StreamsSelectedFilesInOrder()
    {
        string archive = _temp.Combine("good.tar.gz");
        TestArchives.WriteTarGz(archive, [("d/a.txt", "A"u8.ToArray()), ("./d/b.bin", [1, 2, 3]), ("d/skip.txt", "S"u8.ToArray())]);

        List<ArchiveFile> files = TarArchive.ReadFiles(archive, name => !name.EndsWith("skip.txt", StringComparison.Ordinal)).ToList();

        files.Select(f => f.Name).Should().Equal("d/a.txt", "d/b.bin");
        files[1].Content.Should().Equal(1, 2, 3);
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("d/../../evil.txt")]
    [InlineData("/etc/evil.txt")]
    [InlineData("C:/evil.txt")]
    public void ReadFiles_UnsafeEntryName_IsRejected(string name)
    {
        string archive = _temp.Combine("bad.tar.gz");
        TestArchives.WriteTarGz(archive, [("ok.txt", [1]), (name, [2])]);

        Action act = () => TarArchive.ReadFiles(archive).ToList();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == archive && e.Message.Contains(name));
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("/tmp/evil-absolute.txt")]
    public void ExtractToDirectory_UnsafeEntry_WritesNothingOutsideDestination(string name)
    {
        string archive = _temp.Combine("bad.tar.gz");
        TestArchives.WriteTarGz(archive, [(name, "pwned"u8.ToArray())]);
        string destination = _temp.Combine("out");
        string escaped = Path.GetFullPath(Path.Combine(destination, name.TrimStart('/')));
        string outside = Path.GetFullPath(Path.Combine(destination, name));

        Action act = () => TarArchive.ExtractToDirectory(archive, destination);

        act.Should().Throw<DataFormatException>();
        File.Exists(outside).Should().BeFalse();
        File.Exists(escaped).Should().BeFalse();
        File.Exists("/tmp/evil-absolute.txt").Should().BeFalse();
    }

    [Fact]
    public void ReadFiles_SymbolicLink_IsRejected()
    {
        string archive = _temp.Combine("link.tar.gz");
        TestArchives.WriteTarGz(archive, [], [new GnuTarEntry(TarEntryType.SymbolicLink, "innocent.png") { LinkName = "/etc/passwd" }]);

        Action act = () => TarArchive.ReadFiles(archive).ToList();

        act.Should().Throw<DataFormatException>().WithMessage("*innocent.png*link*");
    }

    [Fact]
    public void ReadFiles_DecompressionBomb_StopsAtBound()
    {
        string archive = _temp.Combine("bomb.tar.gz");
        TestArchives.WriteTarGz(archive, [("zeros.bin", new byte[8 << 20])]);
        new FileInfo(archive).Length.Should().BeLessThan(128 << 10, "8 MiB of zeros compress more than 64-fold");

        Action act = () => TarArchive.ReadFiles(archive, null, new DataLoadOptions { MaxDecompressedBytes = 1 << 20 }).ToList();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == archive).WithMessage("*more than 1,048,576 bytes*MaxDecompressedBytes*");
    }

    [Fact]
    public void ExtractToDirectory_DecompressionBomb_StopsAtBound()
    {
        string archive = _temp.Combine("bomb.tar.gz");
        TestArchives.WriteTarGz(archive, [("zeros.bin", new byte[8 << 20])]);

        Action act = () => TarArchive.ExtractToDirectory(archive, _temp.Combine("out"), new DataLoadOptions { MaxDecompressedBytes = 1 << 20 });

        act.Should().Throw<DataFormatException>().WithMessage("*more than 1,048,576 bytes*");
    }

    [Fact]
    public void ExtractToDirectory_GoodArchive_WritesFilesBelowDestination()
    {
        string archive = _temp.Combine("good.tar.gz");
        TestArchives.WriteTarGz(archive, [("a/b/c.txt", "hello"u8.ToArray()), ("top.bin", [9])]);
        string destination = _temp.Combine("out");

        int written = TarArchive.ExtractToDirectory(archive, destination);

        written.Should().Be(2);
        File.ReadAllText(Path.Combine(destination, "a", "b", "c.txt")).Should().Be("hello");
        File.ReadAllBytes(Path.Combine(destination, "top.bin")).Should().Equal(9);
    }

    [Fact]
    public void ReadFiles_PlainTar_IsReadToo()
    {
        string archive = _temp.Combine("plain.tar");
        using (FileStream file = File.Create(archive))
        using (var tar = new TarWriter(file))
        {
            tar.WriteEntry(TestArchives.Entry("x.txt", [4, 2]));
        }

        TarArchive.ReadFiles(archive).Single().Content.Should().Equal(4, 2);
    }

    [Fact]
    public void ReadFiles_TruncatedArchive_ThrowsNamingArchive()
    {
        string archive = _temp.Combine("whole.tar.gz");
        TestArchives.WriteTarGz(archive, Enumerable.Range(0, 20).Select(i => ($"f{i}.bin", TestPng.RandomBytes(5000, i))));
        byte[] bytes = File.ReadAllBytes(archive);
        string cut = _temp.Combine("cut.tar.gz");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        Action act = () => TarArchive.ReadFiles(cut).ToList();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath.StartsWith(cut, StringComparison.Ordinal));
    }

    [Fact]
    public void ReadFiles_GarbageGzip_ThrowsNamingArchive()
    {
        string archive = _temp.Combine("garbage.tar.gz");
        File.WriteAllBytes(archive, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, .. TestPng.RandomBytes(3000, 1)]);

        Action act = () => TarArchive.ReadFiles(archive).ToList();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath.StartsWith(archive, StringComparison.Ordinal));
    }
}
