using System.Diagnostics;
using System.Security.Cryptography;
using DomainAdaptation.Runtime;
using DomainAdaptation.Tests.TestSupport;

namespace DomainAdaptation.Tests.Runtime;

/// <summary>
/// Issue 2 §2: the patcher, run on a copy of the real libLibTorchSharp.so, sets the weak flag on exactly the
/// GLIBCXX_3.4.32 version need and leaves every other byte unchanged; a non-ELF or truncated file is left untouched.
/// </summary>
public class ElfVersionNeedPatcherTests
{
    [Fact]
    public void MarkVersionNeedWeak_CopyOfRealLibrary_ChangesExactlyOneByteAtTheFlagOffset()
    {
        using var dir = new TempDirectory();
        string copy = CopyOriginal(dir);
        byte[] before = File.ReadAllBytes(copy);
        byte[] cacheHashBefore = SHA256.HashData(File.ReadAllBytes(OriginalLibTorchSharp.Path));

        ElfPatchResult result = ElfVersionNeedPatcher.MarkVersionNeedWeak(copy);

        result.Outcome.Should().Be(ElfPatchOutcome.Patched);
        result.Message.Should().Contain(copy).And.Contain("GLIBCXX_3.4.32").And.Contain("weak");
        byte[] after = File.ReadAllBytes(copy);
        after.Length.Should().Be(before.Length);
        int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        changed.Should().Equal([(int)result.FlagOffset], "only the low byte of vna_flags may change");
        after[result.FlagOffset].Should().Be((byte)(before[result.FlagOffset] | ElfVersionNeedPatcher.VerFlagWeak));
        (before[result.FlagOffset] & ElfVersionNeedPatcher.VerFlagWeak).Should().Be(0, "the shipped library has a hard need");

        SHA256.HashData(File.ReadAllBytes(OriginalLibTorchSharp.Path)).Should().Equal(cacheHashBefore, "the NuGet cache must never change");
    }

    [SkippableFact]
    public void MarkVersionNeedWeak_CopyOfRealLibrary_ReadelfShowsWeakOnThatNeedOnly()
    {
        // An independent reader of the ELF format: binutils' readelf.
        string? readelf = new[] { "/usr/bin/readelf", "/bin/readelf" }.FirstOrDefault(File.Exists);
        Skip.If(readelf is null, "binutils' readelf is not installed.");

        using var dir = new TempDirectory();
        string copy = CopyOriginal(dir);
        string[] needsBefore = VersionNeeds(readelf!, copy);
        ElfVersionNeedPatcher.MarkVersionNeedWeak(copy).Outcome.Should().Be(ElfPatchOutcome.Patched);
        string[] needsAfter = VersionNeeds(readelf!, copy);

        needsBefore.Should().ContainSingle(l => l.Contains("Name: GLIBCXX_3.4.32") && l.Contains("Flags: none"));
        needsAfter.Should().ContainSingle(l => l.Contains("Name: GLIBCXX_3.4.32") && l.Contains("Flags: WEAK"));
        needsAfter.Where(l => !l.Contains("GLIBCXX_3.4.32")).Should().Equal(needsBefore.Where(l => !l.Contains("GLIBCXX_3.4.32")));
        needsAfter.Count(l => l.Contains("WEAK")).Should().Be(1);
    }

    [Fact]
    public void MarkVersionNeedWeak_SecondRun_ReportsAlreadyWeakAndChangesNothing()
    {
        using var dir = new TempDirectory();
        string copy = CopyOriginal(dir);
        ElfPatchResult first = ElfVersionNeedPatcher.MarkVersionNeedWeak(copy);
        byte[] afterFirst = File.ReadAllBytes(copy);
        DateTime stampAfterFirst = File.GetLastWriteTimeUtc(copy);

        ElfPatchResult second = ElfVersionNeedPatcher.MarkVersionNeedWeak(copy);

        second.Outcome.Should().Be(ElfPatchOutcome.AlreadyWeak);
        second.FlagOffset.Should().Be(first.FlagOffset);
        second.Message.Should().Contain("already weak").And.Contain("left untouched");
        File.ReadAllBytes(copy).Should().Equal(afterFirst);
        File.GetLastWriteTimeUtc(copy).Should().Be(stampAfterFirst);
    }

    [Fact]
    public void MarkVersionNeedWeak_Patch_KeepsTheFileTimestampForIncrementalBuilds()
    {
        using var dir = new TempDirectory();
        string copy = CopyOriginal(dir);
        var stamp = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(copy, stamp);

        ElfVersionNeedPatcher.MarkVersionNeedWeak(copy).Outcome.Should().Be(ElfPatchOutcome.Patched);

        File.GetLastWriteTimeUtc(copy).Should().Be(stamp);
        Directory.GetFiles(dir.Path).Should().ContainSingle("no temporary file may be left behind");
    }

    [Fact]
    public void MarkVersionNeedWeak_DryRun_ReportsTheOffsetAndWritesNothing()
    {
        using var dir = new TempDirectory();
        string copy = CopyOriginal(dir);
        byte[] before = File.ReadAllBytes(copy);

        ElfPatchResult result = ElfVersionNeedPatcher.MarkVersionNeedWeak(copy, dryRun: true);

        result.Outcome.Should().Be(ElfPatchOutcome.Patched);
        result.FlagOffset.Should().BeGreaterThan(0);
        File.ReadAllBytes(copy).Should().Equal(before);
    }

    [Fact]
    public void MarkVersionNeedWeak_NonElfFile_LeavesItUntouchedAndSaysSo()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "libLibTorchSharp.so");
        File.WriteAllText(path, "this is a text file, not a shared object\n");
        byte[] before = File.ReadAllBytes(path);

        ElfPatchResult result = ElfVersionNeedPatcher.MarkVersionNeedWeak(path);

        result.Outcome.Should().Be(ElfPatchOutcome.NotElf);
        result.FlagOffset.Should().Be(-1);
        result.Message.Should().Contain(path).And.Contain("not an ELF file").And.Contain("left untouched");
        File.ReadAllBytes(path).Should().Equal(before);
    }

    [Fact]
    public void MarkVersionNeedWeak_ThirtyTwoBitElf_IsNotPatched()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "lib32.so");
        byte[] header = new byte[64];
        header[0] = 0x7f; header[1] = (byte)'E'; header[2] = (byte)'L'; header[3] = (byte)'F';
        header[4] = 1; // ELFCLASS32
        header[5] = 1;
        File.WriteAllBytes(path, header);

        ElfPatchResult result = ElfVersionNeedPatcher.MarkVersionNeedWeak(path);

        result.Outcome.Should().Be(ElfPatchOutcome.NotElf);
        result.Message.Should().Contain("64-bit little-endian");
        File.ReadAllBytes(path).Should().Equal(header);
    }

    [Theory]
    [InlineData(40)] // shorter than the 64-byte ELF header
    [InlineData(4096)] // header intact, section headers (at the end of the file) cut off
    [InlineData(-1)] // all but the last byte: the section header table no longer fits
    public void MarkVersionNeedWeak_TruncatedCopy_IsMalformedAndLeftUntouched(int keep)
    {
        using var dir = new TempDirectory();
        byte[] original = File.ReadAllBytes(OriginalLibTorchSharp.Path);
        byte[] truncated = original[..(keep > 0 ? keep : original.Length + keep)];
        string path = Path.Combine(dir.Path, "libLibTorchSharp.so");
        File.WriteAllBytes(path, truncated);

        ElfPatchResult result = ElfVersionNeedPatcher.MarkVersionNeedWeak(path);

        result.Outcome.Should().Be(ElfPatchOutcome.Malformed);
        result.FlagOffset.Should().Be(-1);
        result.Message.Should().Contain(path).And.Contain("is an ELF file but").And.Contain("left untouched");
        if (keep != 40)
        {
            result.Message.Should().Contain("truncated");
        }

        File.ReadAllBytes(path).Should().Equal(truncated);
    }

    [SkippableFact]
    public void MarkVersionNeedWeak_ElfWithoutThatNeed_ReportsVersionNotNeeded()
    {
        // The host's libstdc++ defines GLIBCXX versions but needs none of them.
        string? libstdcxx = ElfVersionNeedPatcher.FindHostLibStdCxx();
        Skip.If(libstdcxx is null, "no libstdc++.so.6 found on this host");
        using var dir = new TempDirectory();
        string copy = Path.Combine(dir.Path, "libstdc++.so.6");
        File.Copy(libstdcxx!, copy);
        byte[] before = File.ReadAllBytes(copy);

        ElfPatchResult result = ElfVersionNeedPatcher.MarkVersionNeedWeak(copy);

        result.Outcome.Should().Be(ElfPatchOutcome.VersionNotNeeded);
        result.Message.Should().Contain("does not declare a need for GLIBCXX_3.4.32");
        File.ReadAllBytes(copy).Should().Equal(before);
    }

    [Fact]
    public void MarkVersionNeedWeak_OtherVersionName_PatchesThatNeedInstead()
    {
        using var dir = new TempDirectory();
        string copy = CopyOriginal(dir);
        byte[] before = File.ReadAllBytes(copy);

        ElfPatchResult result = ElfVersionNeedPatcher.MarkVersionNeedWeak(copy, "GLIBCXX_3.4.19");

        result.Outcome.Should().Be(ElfPatchOutcome.Patched);
        ElfVersionNeedPatcher.Analyse(before, "original").FlagOffset.Should().NotBe(result.FlagOffset);
    }

    [Fact]
    public void MarkVersionNeedWeak_MissingFileOrEmptyArguments_Throw()
    {
        FluentActions.Invoking(() => ElfVersionNeedPatcher.MarkVersionNeedWeak("/nonexistent/libLibTorchSharp.so"))
            .Should().Throw<FileNotFoundException>().WithMessage("*/nonexistent/libLibTorchSharp.so*");
        FluentActions.Invoking(() => ElfVersionNeedPatcher.MarkVersionNeedWeak(" "))
            .Should().Throw<ArgumentException>().WithParameterName("path");
        FluentActions.Invoking(() => ElfVersionNeedPatcher.MarkVersionNeedWeak("x", ""))
            .Should().Throw<ArgumentException>().WithParameterName("version");
    }

    private static string CopyOriginal(TempDirectory dir)
    {
        string copy = Path.Combine(dir.Path, "libLibTorchSharp.so");
        File.Copy(OriginalLibTorchSharp.Path, copy);
        return copy;
    }

    private static string[] VersionNeeds(string readelf, string file)
    {
        var psi = new ProcessStartInfo(readelf, ["-V", "--wide", file]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.Should().Be(0);
        return output.Split('\n').Where(l => l.Contains("Name: ") && l.Contains("Flags: ")).Select(l => l.Trim()).ToArray();
    }
}
