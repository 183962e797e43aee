using DomainAdaptation.Tests.TestSupport;

namespace MnistToMnistM.Tests;

/// <summary>
/// run.json, the sample's record of a run that <c>evaluate</c>, <c>export</c>, <c>select</c>, <c>reverse-validate</c>
/// and <c>--resume</c> read back. The seed is a real run.json (a dann+mcc run on an image-folder pair, its paths made
/// relative); a damaged file must be read or refused with <see cref="InvalidDataException"/> naming it.
/// </summary>
public sealed class RunInfoTests : IDisposable
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "run.json");
    private readonly string _folder = Directory.CreateTempSubdirectory("runinfo-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Read_RealRunJson_GivesSettingsClassesShapeAndNames()
    {
        File.Copy(Fixture, Path.Combine(_folder, RunInfo.FileName));

        var (settings, classes, shape) = RunInfo.Read(_folder);

        settings.Method.Should().Be("dann+mcc");
        settings.Steps.Should().Be(300);
        settings.FolderLoad.Resize.Should().Be(new DataLoading.ImageSize(64, 64));
        classes.Should().Be(31);
        shape.Should().Equal(3, 64, 64);
        RunInfo.ReadClassNames(_folder).Should().HaveCount(31).And.StartWith("back_pack");
    }

    [Theory]
    [InlineData("[1, 2]", "*expected a JSON object*")]
    [InlineData("{\"settings\": 3}", "*'settings'*expected an object*")]
    [InlineData("{\"settings\": {\"Method\": \"dann\"}, \"sampleShape\": [3, 32, 32]}", "*'classes'*whole number*")]
    [InlineData("{\"settings\": {\"Method\": \"dann\"}, \"classes\": \"ten\", \"sampleShape\": [3]}", "*not a valid run record*")]
    [InlineData("{\"settings\": {\"Method\": \"dann\"}, \"classes\": 10, \"sampleShape\": [3, -1]}", "*'sampleShape'*positive*")]
    [InlineData("{\"settings\": {\"Method\": \"dann\", \"Resize\": \"64\"}, \"classes\": 10, \"sampleShape\": [3]}", "*'settings.Resize'*HEIGHTxWIDTH*")]
    [InlineData("{\"settings\": {\"Method\": \"dann\", \"Preset\": \"Huge\"}, \"classes\": 10, \"sampleShape\": [3]}", "*not a valid run record*")]
    [InlineData("{\"settings\"", "*not a valid run record*")]
    public void Read_DamagedRunJson_ThrowsInvalidDataNamingTheFile(string json, string message)
    {
        string path = Path.Combine(_folder, RunInfo.FileName);
        File.WriteAllText(path, json);

        Action act = () => RunInfo.Read(_folder);

        act.Should().Throw<InvalidDataException>().WithMessage(message).Where(e => e.Message.Contains(path, StringComparison.Ordinal));
    }

    [Fact]
    public void Read_MutatedRealRunJson_AcceptOrInvalidData()
    {
        byte[] seed = File.ReadAllBytes(Fixture);
        string path = Path.Combine(_folder, RunInfo.FileName);

        var (accepted, refused) = Mutations.Run([seed], Mutations.Iterations(3000), b =>
        {
            File.WriteAllBytes(path, b);
            var (settings, _, _) = RunInfo.Read(_folder);
            _ = settings.FolderLoad;
            RunInfo.ReadClassNames(_folder);
        }, ex => ex is InvalidDataException, allocationBound: 1 << 20);

        refused.Should().BePositive();
        accepted.Should().BePositive("a mutation inside a class name or a path leaves a valid record");
    }
}
