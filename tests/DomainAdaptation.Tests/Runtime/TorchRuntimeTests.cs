using DomainAdaptation.Runtime;
using DomainAdaptation.Tests.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Tests.Runtime;

/// <summary>Issue 2 §2: torch initialises inside the test process, and load failures are explained.</summary>
public class TorchRuntimeTests
{
    [Fact]
    public void EnsureInitialized_InTestProcess_LoadsTorchAndComputes()
    {
        TorchRuntime.EnsureInitialized();
        TorchRuntime.EnsureInitialized(); // idempotent

        using var scope = NewDisposeScope();
        var a = ones(2, 3, dtype: ScalarType.Float64);
        var b = ones(3, 2, dtype: ScalarType.Float64);
        a.matmul(b).sum().item<double>().Should().Be(12.0);
    }

    [Fact]
    public void Diagnose_NoNativeLibraryInAppFolder_NamesTheMissingBackendAndThePackagesToReference()
    {
        using var dir = new TempDirectory();

        string message = TorchRuntime.Diagnose(new DllNotFoundException("Unable to load shared library 'LibTorchSharp'"), dir.Path);

        message.Should().Contain("was not found").And.Contain(dir.Path)
            .And.Contain("TorchSharp-cpu").And.Contain("libtorch-cpu-linux-x64")
            .And.Contain("references no backend")
            .And.Contain("Unable to load shared library 'LibTorchSharp'");
    }

    [SkippableFact]
    public void Diagnose_UnpatchedLibraryOnHostWithoutGlibcxx3432_NamesTheVersionAndTheBuildPatch()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "The GLIBCXX diagnosis applies to Linux only.");
        string? libstdcxx = ElfVersionNeedPatcher.FindHostLibStdCxx();
        Skip.If(
            libstdcxx is not null && ElfVersionNeedPatcher.LibraryMentionsVersion(libstdcxx),
            $"This host's libstdc++ ({libstdcxx}) provides GLIBCXX_3.4.32, so an unpatched library would load.");

        using var dir = new TempDirectory();
        string native = Directory.CreateDirectory(Path.Combine(dir.Path, "runtimes", "linux-x64", "native")).FullName;
        File.Copy(OriginalLibTorchSharp.Path, Path.Combine(native, "libLibTorchSharp.so"));

        string message = TorchRuntime.Diagnose(new DllNotFoundException("version `GLIBCXX_3.4.32' not found"), dir.Path);

        message.Should().Contain("GLIBCXX_3.4.32").And.Contain("lacks it").And.Contain(Path.Combine(native, "libLibTorchSharp.so"))
            .And.Contain("DomainAdaptationPatchLibTorchSharp").And.Contain("MarkVersionNeedWeak")
            .And.Contain("troubleshooting-linux.md").And.NotContain("can be deleted");

        // TorchSharp's fallback loader leaves a 'cpu' folder behind after a failed load: the message says so.
        Directory.CreateDirectory(Path.Combine(dir.Path, "cpu"));
        TorchRuntime.Diagnose(new DllNotFoundException("x"), dir.Path).Should().Contain(Path.Combine(dir.Path, "cpu")).And.Contain("can be deleted");
    }

    [SkippableFact]
    public void Diagnose_PatchedLibraryThatStillFails_PointsAtTheBackendAndAPartialBinFolder()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "Uses the Linux native library.");
        using var dir = new TempDirectory();
        string copy = Path.Combine(dir.Path, "libLibTorchSharp.so");
        File.Copy(OriginalLibTorchSharp.Path, copy);
        ElfVersionNeedPatcher.MarkVersionNeedWeak(copy).Outcome.Should().Be(ElfPatchOutcome.Patched);

        string message = TorchRuntime.Diagnose(new DllNotFoundException("libtorch_cpu.so: cannot open shared object file"), dir.Path);

        message.Should().Contain("could not load its native libraries").And.Contain(dir.Path)
            .And.Contain("delete bin and obj").And.Contain("libtorch_cpu.so: cannot open shared object file")
            .And.NotContain("GLIBCXX_3.4.32");
    }
}
