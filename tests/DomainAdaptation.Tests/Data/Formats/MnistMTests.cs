using DomainAdaptation.Data;
using DomainAdaptation.Data.Formats;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Data.Formats;

public class MnistMTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly SyntheticMnistM _release = SyntheticMnistM.Create(12, seed: 5);

    public void Dispose() => _temp.Dispose();

    private DataLoadOptions NoCache => new() { UseCache = false };

    [Fact]
    public void Load_Archive_GivesImagesInLabelFileOrder()
    {
        string archive = _release.WriteArchive(_temp.Combine("mnist_m.tar.gz"));

        using SampleSet set = MnistM.Load(archive, DataSplit.Test, NoCache);

        AssertMatches(set, _release);
    }

    [Fact]
    public void Load_Folder_GivesSameAsArchive()
    {
        string release = _release.WriteFolder(_temp.Combine("extracted"));

        using SampleSet set = MnistM.Load(release, DataSplit.Test, NoCache);

        AssertMatches(set, _release);
    }

    [Fact]
    public void Load_ParentFolderOfReleaseOrArchive_IsResolved()
    {
        _release.WriteFolder(_temp.Combine("a"));
        _release.WriteArchive(Directory.CreateDirectory(_temp.Combine("b")).FullName + "/mnist_m.tar.gz");

        using SampleSet fromFolderParent = MnistM.Load(_temp.Combine("a"), DataSplit.Test, NoCache);
        using SampleSet fromArchiveParent = MnistM.Load(_temp.Combine("b"), DataSplit.Test, NoCache);

        AssertMatches(fromFolderParent, _release);
        AssertMatches(fromArchiveParent, _release);
    }

    [Fact]
    public void Load_NothingThere_ListsExpectedLayout()
    {
        Action act = () => MnistM.Load(_temp.Combine("missing"), DataSplit.Train, NoCache).Dispose();
        act.Should().Throw<FileNotFoundException>().WithMessage("*mnist_m.tar.gz*mnist_m_train_labels.txt*mnist_m_train/*");
    }

    [Theory]
    [InlineData("00000001.png 3 extra", "line 2*'<file name> <label>'")]
    [InlineData("00000001.png seven", "line 2*label 'seven'*0 to 9")]
    [InlineData("00000001.png 10", "line 2*label '10'*0 to 9")]
    [InlineData("../../etc/passwd 1", "line 2*not a plain file name")]
    [InlineData("00000011.png 4", "line 2*'00000011.png' a second time")]
    public void Load_BadLabelLine_ThrowsWithLineNumber(string badLine, string expected)
    {
        string text = $"{_release.Names[0]} {_release.Labels[0]}\n{badLine}\n";
        string folder = _release.WriteFolder(_temp.Combine("f"), labelText: text);
        string archive = _release.WriteArchive(_temp.Combine("a.tar.gz"), labelText: text);

        Action fromFolder = () => MnistM.Load(folder, DataSplit.Test, NoCache).Dispose();
        Action fromArchive = () => MnistM.Load(archive, DataSplit.Test, NoCache).Dispose();

        fromFolder.Should().Throw<DataFormatException>().WithMessage($"*mnist_m_test_labels.txt*{expected}*");
        fromArchive.Should().Throw<DataFormatException>().WithMessage($"*mnist_m_test_labels.txt*{expected}*");
    }

    [Fact]
    public void Load_EmptyLabelFile_Throws()
    {
        string folder = _release.WriteFolder(_temp.Combine("f"), labelText: "\n\n");
        Action act = () => MnistM.Load(folder, DataSplit.Test, NoCache).Dispose();
        act.Should().Throw<DataFormatException>().WithMessage("*lists no images*");
    }

    [Fact]
    public void Load_ListedImageAbsent_ThrowsNamingImage()
    {
        string text = _release.LabelText + "99999999.png 3\n";
        string folder = _release.WriteFolder(_temp.Combine("f"), labelText: text);
        string archive = _release.WriteArchive(_temp.Combine("a.tar.gz"), labelText: text);

        Action fromFolder = () => MnistM.Load(folder, DataSplit.Test, NoCache).Dispose();
        Action fromArchive = () => MnistM.Load(archive, DataSplit.Test, NoCache).Dispose();

        fromFolder.Should().Throw<DataFormatException>().WithMessage("*line 13*99999999.png*does not exist*1 of 13*");
        fromArchive.Should().Throw<DataFormatException>().WithMessage("*1 image(s)*not in the archive*99999999.png*line 13*");
    }

    [Fact]
    public void Load_LabelFileMissing_Throws()
    {
        string folder = _release.WriteFolder(_temp.Combine("f"));
        File.Delete(Path.Combine(folder, "mnist_m_test_labels.txt"));
        File.WriteAllText(Path.Combine(folder, "mnist_m_train_labels.txt"), "x.png 1\n");
        string archive = _temp.Combine("a.tar.gz");
        TestArchives.WriteTarGz(archive, [("mnist_m/mnist_m_test/00000000.png", _release.Png[0])]);

        Action fromFolder = () => MnistM.Load(folder, DataSplit.Test, NoCache).Dispose();
        Action fromArchive = () => MnistM.Load(archive, DataSplit.Test, NoCache).Dispose();

        fromFolder.Should().Throw<FileNotFoundException>().WithMessage("*mnist_m_test_labels.txt*does not exist*");
        fromArchive.Should().Throw<DataFormatException>().WithMessage("*no 'mnist_m_test_labels.txt' entry*");
    }

    [Fact]
    public void Load_CorruptPng_ThrowsNamingImage()
    {
        string folder = _release.WriteFolder(_temp.Combine("f"));
        string victim = Path.Combine(folder, "mnist_m_test", _release.Names[3]);
        byte[] bytes = File.ReadAllBytes(victim);
        File.WriteAllBytes(victim, bytes[..(bytes.Length - 40)]);

        Action act = () => MnistM.Load(folder, DataSplit.Test, NoCache).Dispose();

        act.Should().Throw<DataFormatException>().Where(e => e.FilePath == victim).WithMessage("*truncated*");
    }

    [Fact]
    public void Load_WrongImageSizeInArchive_ThrowsNamingEntry()
    {
        var extra = new[] { ("mnist_m/mnist_m_test/odd.png", TestPng.Encode8(28, 28, 0, new byte[784])) };
        string archive = _release.WriteArchive(_temp.Combine("a.tar.gz"), labelText: _release.LabelText + "odd.png 1\n", extra: extra);

        Action act = () => MnistM.Load(archive, DataSplit.Test, NoCache).Dispose();

        act.Should().Throw<DataFormatException>().WithMessage("*a.tar.gz!mnist_m/mnist_m_test/odd.png*28×28*MNIST-M images are 32×32*");
    }

    [Fact]
    public void Load_ArchiveWithTraversalEntry_IsRejected()
    {
        string archive = _release.WriteArchive(_temp.Combine("a.tar.gz"), extra: [("mnist_m/../../evil.png", _release.Png[0])]);
        Action act = () => MnistM.Load(archive, DataSplit.Test, NoCache).Dispose();
        act.Should().Throw<DataFormatException>().WithMessage("*'..'*rejected*");
    }

    [Fact]
    public void Load_ArchivePastBound_Stops()
    {
        string archive = _release.WriteArchive(_temp.Combine("a.tar.gz"), extra: [("mnist_m/padding.bin", new byte[4 << 20])]);
        Action act = () => MnistM.Load(archive, DataSplit.Test, new DataLoadOptions { UseCache = false, MaxDecompressedBytes = 1 << 20 }).Dispose();
        act.Should().Throw<DataFormatException>().WithMessage("*more than 1,048,576 bytes*");
    }

    [Fact]
    public void Load_ImageNotListed_IsIgnored()
    {
        var extra = new[] { ("mnist_m/mnist_m_test/unlisted.png", new byte[] { 1, 2, 3 }) };
        string archive = _release.WriteArchive(_temp.Combine("a.tar.gz"), extra: extra);

        using SampleSet set = MnistM.Load(archive, DataSplit.Test, NoCache);

        AssertMatches(set, _release);
    }

    [Fact]
    public void Load_Cancelled_ThrowsOperationCanceled()
    {
        string archive = _release.WriteArchive(_temp.Combine("a.tar.gz"));
        string folder = _release.WriteFolder(_temp.Combine("f"));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Action fromArchive = () => MnistM.Load(archive, DataSplit.Test, NoCache, cancellationToken: cancelled.Token).Dispose();
        Action fromFolder = () => MnistM.Load(folder, DataSplit.Test, NoCache, cancellationToken: cancelled.Token).Dispose();

        fromArchive.Should().Throw<OperationCanceledException>();
        fromFolder.Should().Throw<OperationCanceledException>();
    }

    internal static void AssertMatches(SampleSet set, SyntheticMnistM release)
    {
        set.Count.Should().Be(release.Names.Length);
        set.Samples.shape.Should().Equal(release.Names.Length, 3, 32, 32);
        set.Samples.dtype.Should().Be(ScalarType.Byte);
        set.ClassCount.Should().Be(10);
        set.Labels!.data<long>().ToArray().Should().Equal(release.Labels.Select(l => (long)l));
        set.Samples.bytes.ToArray().Should().Equal(release.Planar.SelectMany(p => p));
    }
}
