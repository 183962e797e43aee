using System.Runtime.InteropServices;

namespace DomainAdaptation.Runtime;

/// <summary>What the CPU offers that changes which training settings are fast.</summary>
public static class CpuFeatures
{
    private static readonly Lazy<bool> NativeBFloat16 = new(() => ReadNativeBFloat16("/proc/cpuinfo"));

    /// <summary>
    /// True when the CPU computes in bfloat16 natively (the <c>avx512_bf16</c> or <c>amx_bf16</c> flag of Linux's
    /// <c>/proc/cpuinfo</c>), so that <see cref="Training.Precision.TrainingPrecision.BFloat16Mixed"/> makes convolutions and matrix
    /// products faster (measured on this project's machine, docs/performance.md) instead of emulating them. False
    /// elsewhere, including on operating systems other than Linux and on other architectures, where it is not checked.
    /// </summary>
    public static bool HasNativeBFloat16 => NativeBFloat16.Value;

    /// <summary>Reads the bfloat16 flags from a file in the format of <c>/proc/cpuinfo</c>; false when it is missing or unreadable.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Whether a <c>flags</c> line names <c>avx512_bf16</c> or <c>amx_bf16</c>.</returns>
    internal static bool ReadNativeBFloat16(string path)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return false;
        }

        try
        {
            foreach (string line in File.ReadLines(path))
            {
                if (!line.StartsWith("flags", StringComparison.Ordinal)) continue;
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0) continue;
                foreach (string flag in line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (flag is "avx512_bf16" or "amx_bf16") return true;
                }

                return false; // every core lists the same flags
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return false;
    }
}
