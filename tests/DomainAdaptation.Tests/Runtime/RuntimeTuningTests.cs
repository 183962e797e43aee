using System.Runtime.InteropServices;
using DomainAdaptation.Runtime;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace DomainAdaptation.Tests.Runtime;

/// <summary>
/// The settings are process-wide: every test that changes the intra-op count restores it, and the class runs alone
/// (<see cref="ProcessSettingsCollection"/>), because a thread count changed while another test computes can change the
/// order of its parallel sums and so its last bits.
/// </summary>
[Collection(ProcessSettingsCollection.Name)]
public class RuntimeTuningTests
{
    [Fact]
    public void Apply_IntraOpThreads_SetsTorchThreadCount()
    {
        int original = torch.get_num_threads();
        int wanted = original == 1 ? 2 : 1;
        try
        {
            RuntimeTuningResult result = RuntimeTuning.Apply(new RuntimeTuningOptions { IntraOpThreads = wanted, TuneMalloc = false });

            torch.get_num_threads().Should().Be(wanted);
            result.IntraOpThreads.Should().Be(new ThreadSettingResult(ThreadSettingOutcome.Applied, wanted, original, wanted));
        }
        finally
        {
            torch.set_num_threads(original);
        }
    }

    [Fact]
    public void Apply_SameOptionsTwice_SecondCallChangesNothing()
    {
        int original = torch.get_num_threads();
        int wanted = original == 1 ? 2 : 1;
        try
        {
            var options = new RuntimeTuningOptions { IntraOpThreads = wanted };
            RuntimeTuningResult first = RuntimeTuning.Apply(options);
            RuntimeTuningResult second = RuntimeTuning.Apply(options);

            first.IntraOpThreads.Outcome.Should().Be(ThreadSettingOutcome.Applied);
            second.IntraOpThreads.Should().Be(new ThreadSettingResult(ThreadSettingOutcome.AlreadyInEffect, wanted, wanted, wanted));
            second.Malloc.Should().Be(first.Malloc);
            torch.get_num_threads().Should().Be(wanted);
        }
        finally
        {
            torch.set_num_threads(original);
        }
    }

    [SkippableFact]
    public void Apply_OnGlibcLinux_MalloptSucceeds()
    {
        // .NET names musl builds linux-musl-*; every other Linux runtime identifier is glibc.
        Skip.IfNot(OperatingSystem.IsLinux() && !RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal), "needs Linux with glibc");

        RuntimeTuningResult result = RuntimeTuning.Apply(new RuntimeTuningOptions());

        result.Malloc.Outcome.Should().Be(MallocTuningOutcome.Applied);
        result.Malloc.GlibcVersion.Should().MatchRegex(@"^\d+\.\d+");
        result.Malloc.MmapThresholdBytes.Should().Be(32 * 1024 * 1024);
        result.Malloc.TrimThresholdBytes.Should().Be(1024 * 1024 * 1024);
    }

    [SkippableFact]
    public void Apply_OnOtherPlatforms_MallocIsReportedUnsupported()
    {
        Skip.If(OperatingSystem.IsLinux(), "Linux has glibc or another C library; covered by the other tests");

        RuntimeTuning.Apply(new RuntimeTuningOptions()).Malloc
            .Should().Be(new MallocTuningResult(MallocTuningOutcome.UnsupportedPlatform, null, null, null));
    }

    [Fact]
    public void Apply_TuneMallocFalse_CallsNothingAndSaysSo()
    {
        RuntimeTuningResult result = RuntimeTuning.Apply(new RuntimeTuningOptions { TuneMalloc = false });

        result.Malloc.Should().Be(new MallocTuningResult(MallocTuningOutcome.NotRequested, null, null, null));
    }

    [Fact]
    public void Apply_NoThreadCounts_LeavesLibtorchDefaults()
    {
        int intra = torch.get_num_threads();
        int inter = torch.get_num_interop_threads();

        RuntimeTuningResult result = RuntimeTuning.Apply(new RuntimeTuningOptions { TuneMalloc = false });

        result.IntraOpThreads.Should().Be(new ThreadSettingResult(ThreadSettingOutcome.NotRequested, null, intra, intra));
        result.InterOpThreads.Should().Be(new ThreadSettingResult(ThreadSettingOutcome.NotRequested, null, inter, inter));
        torch.get_num_threads().Should().Be(intra);
    }

    [Fact]
    public void Apply_InterOpThreadsAlreadyInForce_DoesNotCallLibtorch()
    {
        // libtorch ends the process on a second set_num_interop_threads; asking for the count in force must not call it.
        int inter = torch.get_num_interop_threads();

        RuntimeTuningResult result = RuntimeTuning.Apply(new RuntimeTuningOptions { InterOpThreads = inter, TuneMalloc = false });

        result.InterOpThreads.Should().Be(new ThreadSettingResult(ThreadSettingOutcome.AlreadyInEffect, inter, inter, inter));
    }

    [Theory]
    [InlineData(0, null, nameof(RuntimeTuningOptions.IntraOpThreads))]
    [InlineData(-2, null, nameof(RuntimeTuningOptions.IntraOpThreads))]
    [InlineData(null, 0, nameof(RuntimeTuningOptions.InterOpThreads))]
    [InlineData(5000, null, nameof(RuntimeTuningOptions.IntraOpThreads))]
    public void Apply_InvalidThreadCount_ThrowsNamingPropertyAndChangesNothing(int? intra, int? inter, string property)
    {
        int before = torch.get_num_threads();

        Action act = () => RuntimeTuning.Apply(new RuntimeTuningOptions { IntraOpThreads = intra, InterOpThreads = inter });

        act.Should().Throw<OptionsValidationException>().WithMessage($"*{property}*");
        torch.get_num_threads().Should().Be(before);
    }

    [Fact]
    public void Validate_MmapThresholdAboveGlibcMaximum_Fails()
    {
        ValidateOptionsResult result = new RuntimeTuningOptionsValidator().Validate(
            null, new RuntimeTuningOptions { MmapThresholdBytes = RuntimeTuningOptions.MaxMmapThresholdBytes + 1 });

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain(nameof(RuntimeTuningOptions.MmapThresholdBytes)).And.Contain("32 MiB");
    }

    [Fact]
    public void Validate_NegativeTrimThreshold_Fails()
    {
        ValidateOptionsResult result = new RuntimeTuningOptionsValidator().Validate(null, new RuntimeTuningOptions { TrimThresholdBytes = -1 });

        result.Failed.Should().BeTrue();
        result.FailureMessage.Should().Contain(nameof(RuntimeTuningOptions.TrimThresholdBytes));
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        new RuntimeTuningOptionsValidator().Validate(null, new RuntimeTuningOptions()).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Apply_NullOptions_Throws()
    {
        Action act = () => RuntimeTuning.Apply(null!);

        act.Should().Throw<ArgumentNullException>();
    }
}
