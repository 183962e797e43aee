using DomainAdaptation.Data;

namespace DomainAdaptation.Tests.Data;

public class DataLoadOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        DataLoadOptionsValidator.Instance.Validate(null, new DataLoadOptions()).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Validate_BadValues_ListsEachFailure()
    {
        var options = new DataLoadOptions { MaxDecompressedBytes = 0, MaxDegreeOfParallelism = 0, CacheDirectory = " " };

        var result = DataLoadOptionsValidator.Instance.Validate(null, options);

        result.Failed.Should().BeTrue();
        result.Failures.Should().HaveCount(3);
    }

    [Fact]
    public void ResolveCacheDirectory_Default_IsUnderUserCache()
    {
        string resolved = new DataLoadOptions().ResolveCacheDirectory();
        Path.IsPathRooted(resolved).Should().BeTrue();
        resolved.Should().Contain("DomainAdaptation");
    }
}
