using DomainAdaptation.Data.Datasets;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Tests.Data.Formats;
using DomainAdaptation.Tests.TestSupport;

namespace DomainAdaptation.Tests.Data.Datasets;

public class ImageListTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Png(string relative, byte value)
    {
        string path = _temp.Combine(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, TestPng.Encode8(2, 2, 0, [value, value, value, value]));
        return path;
    }

    private string Csv(params string[] lines)
    {
        string path = _temp.Combine("labels.csv");
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Load_HeaderQuotedAndRelativePaths_LabelsByOrdinalClassOrder()
    {
        Png("img/a.png", 1);
        Png("img/b,c.png", 2);
        string absolute = Png("other/d.png", 3);
        string csv = Csv("path,label", "img/a.png,zebra", "\"img/b,c.png\",Apple", "", $"{absolute}, zebra ");

        using ImageFolderDataset data = ImageList.Load(csv);

        data.ClassNames.Should().Equal("Apple", "zebra");
        data.Samples.Labels!.data<long>().ToArray().Should().Equal(1, 0, 1);
        data.Files.Should().Equal(_temp.Combine("img", "a.png"), _temp.Combine("img", "b,c.png"), absolute);
        data.Samples.Samples[1].flatten().data<byte>().ToArray().Should().OnlyContain(v => v == 2);
        data.Samples.Name.Should().Be("labels");
    }

    [Fact]
    public void Load_RowWithThreeFields_ThrowsNamingTheLine()
    {
        Png("a.png", 1);
        string csv = Csv("a.png,cat", "a.png,dog,extra");

        Action act = () => ImageList.Load(csv).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == csv).WithMessage("*line 2*two fields*found 3*");
    }

    [Fact]
    public void Load_UnclosedQuote_ThrowsNamingTheLine()
    {
        string csv = Csv("\"a.png,cat");

        Action act = () => ImageList.Load(csv).Dispose();

        act.Should().Throw<DataFormatException>().WithMessage("*line 1*quoted field is not closed*");
    }

    [Fact]
    public void Load_MissingImage_ThrowsNamingLineAndPath()
    {
        Png("a.png", 1);
        string csv = Csv("a.png,cat", "gone.png,dog");

        Action act = () => ImageList.Load(csv).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == csv).WithMessage("*line 2*'gone.png' does not exist*");
    }

    [Fact]
    public void Load_MissingImageWithSkip_ListsItAndReadsTheRest()
    {
        Png("a.png", 1);
        Png("b.png", 2);
        string csv = Csv("a.png,cat", "gone.png,dog", "b.png,dog");

        using ImageFolderDataset data = ImageList.Load(csv, new ImageFolderOptions { SkipBadImages = true });

        data.Files.Select(Path.GetFileName).Should().Equal("a.png", "b.png");
        data.Skipped.Should().ContainSingle().Which.Path.Should().Be(_temp.Combine("gone.png"));
    }

    [Fact]
    public void Load_EmptyLabel_Throws()
    {
        Png("a.png", 1);
        string csv = Csv("a.png,");

        Action act = () => ImageList.Load(csv).Dispose();

        act.Should().Throw<DataFormatException>().WithMessage("*line 1*label*empty*");
    }

    [Fact]
    public void Load_OneClass_Throws()
    {
        Png("a.png", 1);
        string csv = Csv("a.png,cat");

        Action act = () => ImageList.Load(csv).Dispose();

        act.Should().Throw<DataFormatException>().WithMessage("*one class only ('cat')*");
    }

    [Fact]
    public void Load_MissingCsv_Throws()
    {
        Action act = () => ImageList.Load(_temp.Combine("none.csv")).Dispose();

        act.Should().Throw<FileNotFoundException>().WithMessage("*none.csv*");
    }
}
