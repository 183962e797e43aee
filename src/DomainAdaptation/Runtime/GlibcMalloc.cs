using System.Runtime.InteropServices;

namespace DomainAdaptation.Runtime;

/// <summary>The two glibc entry points the runtime tuning needs, resolved lazily and probed without crashing elsewhere.</summary>
internal static class GlibcMalloc
{
    /// <summary><c>M_TRIM_THRESHOLD</c> from glibc's malloc.h.</summary>
    internal const int MTrimThreshold = -1;

    /// <summary><c>M_MMAP_THRESHOLD</c> from glibc's malloc.h.</summary>
    internal const int MMmapThreshold = -3;

    // glibc's soname on every glibc Linux (x86-64, arm64); absent on musl, where loading it fails with DllNotFoundException.
    private const string Libc = "libc.so.6";

    /// <summary>The glibc version, or null when the process's C library is not glibc.</summary>
    internal static string? Version()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return Marshal.PtrToStringUTF8(GnuGetLibcVersion());
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Calls <c>mallopt(param, value)</c>; true when glibc accepted the value.</summary>
    /// <exception cref="DllNotFoundException">When glibc is not present.</exception>
    /// <exception cref="EntryPointNotFoundException">When the C library has no <c>mallopt</c>.</exception>
    internal static bool SetOption(int param, int value) => MallOpt(param, value) == 1;

    [DllImport(Libc, EntryPoint = "gnu_get_libc_version", ExactSpelling = true)]
    private static extern IntPtr GnuGetLibcVersion();

    [DllImport(Libc, EntryPoint = "mallopt", ExactSpelling = true)]
    private static extern int MallOpt(int param, int value);
}
