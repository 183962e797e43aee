using DomainAdaptation.Data.Formats;
using DomainAdaptation.Data.Generation;
using DomainAdaptation.Tests.TestSupport;

namespace DomainAdaptation.Tests.Data.Generation;

/// <summary>Decodes the 200 real BSDS500 train images once for the tests that need them.</summary>
public sealed class Bsds500Fixture
{
    private static readonly Lazy<BackgroundImages> Loaded = new(() => Bsds500Images.LoadFolder(SharedDataFolder.Require("bsds500/train")));

    public string Folder => SharedDataFolder.Require("bsds500/train");

    public BackgroundImages Backgrounds => Loaded.Value;

    internal IReadOnlyList<DecodedImage> Images => Loaded.Value.Images;
}

public class Bsds500ImagesTests : IClassFixture<Bsds500Fixture>
{
    private readonly Bsds500Fixture _bsds;

    public Bsds500ImagesTests(Bsds500Fixture bsds) => _bsds = bsds;

    [Fact]
    public void LoadFolder_RealTrainSet_Gives200ImagesSortedWithBsdsSizes()
    {
        IReadOnlyList<DecodedImage> images = _bsds.Images;

        images.Should().HaveCount(200);
        images.Select(i => i.Name).Should().BeInAscendingOrder(StringComparer.Ordinal);
        images[0].Name.Should().Be("100075.jpg");
        images.Should().OnlyContain(i => (i.Width == 481 && i.Height == 321) || (i.Width == 321 && i.Height == 481));
        images.Count(i => i.Width == 321).Should().BeGreaterThan(0, "BSDS500 has portrait images too");
    }

    [Fact]
    public void LoadArchive_OriginalLayout_GivesTheSamePixelsAsTheFolder()
    {
        using var archives = new TempDirectory();
        string[] names = ["100075.jpg", "2092.jpg", "97017.jpg"];
        var entries = new List<(string, byte[])>
        {
            ("BSR/BSDS500/data/groundTruth/train/100075.mat", new byte[] { 1, 2, 3 }),
            ("BSR/BSDS500/data/images/train/Thumbs.db", new byte[] { 9 }),
            ("BSR/BSDS500/data/images/test/100007.jpg", new byte[] { 0xFF, 0xD8 }), // another split: ignored, never decoded
        };
        entries.AddRange(names.Select(n => ($"BSR/BSDS500/data/images/train/{n}", File.ReadAllBytes(Path.Combine(_bsds.Folder, n)))));
        string archive = TestArchives.WriteTarGz(archives.Combine("BSR_bsds500.tgz"), entries);

        IReadOnlyList<DecodedImage> fromArchive = Bsds500Images.LoadArchive(archive).Images;

        fromArchive.Select(i => i.Name).Should().Equal(names.Order(StringComparer.Ordinal));
        foreach (DecodedImage image in fromArchive)
        {
            DecodedImage fromFolder = _bsds.Images.Single(i => i.Name == image.Name);
            image.Width.Should().Be(fromFolder.Width);
            image.Pixels.SequenceEqual(fromFolder.Pixels).Should().BeTrue($"{image.Name} decodes the same from the archive");
        }
    }

    [Fact]
    public void Load_PathIsArchive_ReadsTheArchive()
    {
        using var archives = new TempDirectory();
        string archive = TestArchives.WriteTarGz(archives.Combine("b.tgz"), [("BSR/BSDS500/data/images/train/2092.jpg", File.ReadAllBytes(Path.Combine(_bsds.Folder, "2092.jpg")))]);

        Bsds500Images.Load(archive).Names.Should().ContainSingle().Which.Should().Be("2092.jpg");
    }

    [Theory]
    [InlineData("../evil.jpg", "'..' segment")]
    [InlineData("BSR/BSDS500/data/images/train/../../../../x.jpg", "'..' segment")]
    [InlineData("/etc/evil.jpg", "absolute path")]
    public void LoadArchive_UnsafeEntryName_RejectsTheArchive(string entryName, string reason)
    {
        using var archives = new TempDirectory();
        string archive = TestArchives.WriteTarGz(archives.Combine("evil.tgz"), [(entryName, new byte[] { 1, 2, 3 })]);

        Action act = () => Bsds500Images.LoadArchive(archive);

        act.Should().Throw<InvalidDataException>().WithMessage($"*evil.tgz*{entryName}*{reason}*rejected*");
    }

    [Fact]
    public void LoadArchive_DecompressionPastTheLimit_Stops()
    {
        using var archives = new TempDirectory();
        // 8 MiB of zeros compress to a few KiB: a small decompression bomb.
        string archive = TestArchives.WriteTarGz(archives.Combine("bomb.tgz"), [("BSR/BSDS500/data/images/train/big.jpg", new byte[8 << 20])]);

        Action total = () => Bsds500Images.LoadArchive(archive, limits: new ArchiveLimits(MaxTotalBytes: 1 << 20, MaxEntryBytes: 64 << 20));
        Action entry = () => Bsds500Images.LoadArchive(archive, limits: new ArchiveLimits(MaxTotalBytes: 1L << 30, MaxEntryBytes: 1 << 20));

        total.Should().Throw<InvalidDataException>().WithMessage("*bomb.tgz*more than 1,048,576 bytes*");
        entry.Should().Throw<InvalidDataException>().WithMessage("*bomb.tgz*big.jpg*8,388,608 bytes*limit*");
    }

    [Fact]
    public void LoadArchive_Truncated_ThrowsNamingTheArchive()
    {
        using var archives = new TempDirectory();
        string archive = TestArchives.WriteTarGz(archives.Combine("whole.tgz"), [("BSR/BSDS500/data/images/train/2092.jpg", File.ReadAllBytes(Path.Combine(_bsds.Folder, "2092.jpg")))]);
        byte[] bytes = File.ReadAllBytes(archive);
        string cut = Path.Combine(archives.Path, "cut.tgz");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        Action act = () => Bsds500Images.LoadArchive(cut);

        act.Should().Throw<InvalidDataException>().WithMessage("*cut.tgz*");
    }

    [Fact]
    public void LoadArchive_NoImagesInFolder_SaysWhatWasExpected()
    {
        using var archives = new TempDirectory();
        string archive = TestArchives.WriteTarGz(archives.Combine("empty.tgz"), [("other/readme.txt", "hi"u8.ToArray())]);

        Action act = () => Bsds500Images.LoadArchive(archive);

        act.Should().Throw<InvalidDataException>().WithMessage("*empty.tgz*no *.jpg entry under 'BSR/BSDS500/data/images/train/'*");
    }

    [Fact]
    public void Load_MissingPath_ThrowsFileNotFoundWithThePath()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-bsds-" + Guid.NewGuid().ToString("N"));

        Action act = () => Bsds500Images.Load(missing);

        act.Should().Throw<FileNotFoundException>().WithMessage($"*{missing}*BSR_bsds500.tgz*");
    }

    [Fact]
    public void LoadFiles_FromDifferentFolders_SortsByNameAndMatchesTheFolderDecode()
    {
        using var archives = new TempDirectory();
        string elsewhere = Path.Combine(archives.Path, "2092.jpg");
        File.Copy(Path.Combine(_bsds.Folder, "2092.jpg"), elsewhere);

        IReadOnlyList<DecodedImage> images = Bsds500Images.LoadFiles([Path.Combine(_bsds.Folder, "97017.jpg"), elsewhere]).Images;

        images.Select(i => i.Name).Should().Equal("2092.jpg", "97017.jpg");
        images[0].Pixels.SequenceEqual(_bsds.Images.Single(i => i.Name == "2092.jpg").Pixels).Should().BeTrue();
    }

    [Fact]
    public void LoadFiles_DuplicateNames_Throws()
    {
        string path = Path.Combine(_bsds.Folder, "2092.jpg");

        Action act = () => Bsds500Images.LoadFiles([path, path]);

        act.Should().Throw<ArgumentException>().WithMessage("*'2092.jpg'*unique*");
    }

    [Fact]
    public void LoadFolder_NoJpegs_Throws()
    {
        using var archives = new TempDirectory();

        Action act = () => Bsds500Images.LoadFolder(archives.Path);

        act.Should().Throw<InvalidDataException>().WithMessage("*holds no *.jpg file*");
    }
}
