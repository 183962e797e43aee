using System.Runtime.InteropServices;
using DomainAdaptation.Runtime;
using DomainAdaptation.Tests.TestSupport;

namespace DomainAdaptation.Tests.Runtime;

public class CpuFeaturesTests
{
    [Theory]
    [InlineData("flags\t\t: fpu vme sse2 avx2 avx512f avx512_bf16 avx512_fp16", true)]
    [InlineData("flags\t\t: fpu vme sse2 avx2 amx_bf16 amx_tile amx_int8", true)]
    [InlineData("flags\t\t: fpu vme sse2 avx2 avx512f avx512bw", false)]
    [InlineData("processor\t: 0", false)]
    public void ReadNativeBFloat16_CpuinfoFlags_FindsTheBFloat16Flags(string line, bool expected)
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "cpuinfo");
        File.WriteAllText(path, "processor\t: 0\nmodel name\t: test\n" + line + "\n");
        bool onLinuxX64 = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.ProcessArchitecture == Architecture.X64;
        CpuFeatures.ReadNativeBFloat16(path).Should().Be(expected && onLinuxX64);
    }

    [Fact]
    public void ReadNativeBFloat16_MissingFile_IsFalse()
    {
        using var folder = new TempDirectory();
        CpuFeatures.ReadNativeBFloat16(Path.Combine(folder.Path, "absent")).Should().BeFalse();
    }
}
