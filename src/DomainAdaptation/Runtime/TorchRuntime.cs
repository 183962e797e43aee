using System.Runtime.InteropServices;
using TorchSharp;

namespace DomainAdaptation.Runtime;

/// <summary>
/// The library's first touch of TorchSharp. Loads the native libraries once and, when they cannot be loaded,
/// throws a <see cref="TorchSharpLoadException"/> that names the cause and the fix instead of a bare
/// <see cref="DllNotFoundException"/> from deep inside TorchSharp.
/// </summary>
public static class TorchRuntime
{
    private static readonly object Gate = new();
    private static volatile bool _initialized;

    /// <summary>Ensures TorchSharp's native libraries are loaded; cheap after the first successful call.</summary>
    /// <exception cref="TorchSharpLoadException">When the native libraries cannot be loaded.</exception>
    public static void EnsureInitialized()
    {
        if (_initialized) return;
        lock (Gate)
        {
            if (_initialized) return;
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or NotSupportedException or BadImageFormatException or EntryPointNotFoundException)
            {
                throw new TorchSharpLoadException(Diagnose(ex), ex);
            }

            _initialized = true;
        }
    }

    /// <summary>Explains why TorchSharp failed to load, as precisely as the host allows.</summary>
    /// <param name="error">The exception TorchSharp threw.</param>
    /// <param name="baseDirectory">The application folder to inspect; <see cref="AppContext.BaseDirectory"/> when null.</param>
    /// <returns>A message naming the cause and the fix.</returns>
    internal static string Diagnose(Exception error, string? baseDirectory = null)
    {
        string baseDir = baseDirectory ?? AppContext.BaseDirectory;
        string? libTorchSharp = FindLibTorchSharp(baseDir);
        if (libTorchSharp is null)
        {
            return "TorchSharp's native library (LibTorchSharp) was not found next to the application in '" + baseDir +
                   "'. Reference a TorchSharp backend package in the application project: TorchSharp-cpu, a single-OS " +
                   "libtorch-cpu-* package (for example libtorch-cpu-linux-x64), or a CUDA build. " +
                   "The DomainAdaptation package deliberately references no backend. Inner error: " + error.Message;
        }

        if (OperatingSystem.IsLinux())
        {
            ElfPatchResult analysis = ElfVersionNeedPatcher.Analyse(File.ReadAllBytes(libTorchSharp), libTorchSharp);
            string? libstdcxx = ElfVersionNeedPatcher.FindHostLibStdCxx();
            bool hostHasVersion = libstdcxx is not null && ElfVersionNeedPatcher.LibraryMentionsVersion(libstdcxx);
            if (analysis.Outcome == ElfPatchOutcome.Patched && !hostHasVersion)
            {
                return $"TorchSharp cannot load '{libTorchSharp}': it needs GLIBCXX_3.4.32 and this system's libstdc++ " +
                       $"('{libstdcxx ?? "not found"}') lacks it (Debian 12 and Ubuntu 22.04 stop at GLIBCXX_3.4.30). " +
                       "The DomainAdaptation package patches the copy in the build output after every build and publish; " +
                       "it did not run here. Check that DomainAdaptationPatchLibTorchSharp is not set to false, rebuild " +
                       "(dotnet build), or call DomainAdaptation.Runtime.ElfVersionNeedPatcher.MarkVersionNeedWeak on that file. " +
                       "See docs/troubleshooting-linux.md." + LeftoverNote(baseDir) + " Inner error: " + error.Message;
            }
        }

        return $"TorchSharp could not load its native libraries from '{Path.GetDirectoryName(libTorchSharp)}' " +
               $"({RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}). Check that the backend package " +
               "matches this OS and architecture and that the bin folder is complete (a failed first load can leave a partial " +
               "copy under bin/…/cpu/: delete bin and obj and rebuild). Inner error: " + error.Message;
    }

    // TorchSharp's fallback loader copies every native library (~0.5 GB for libtorch-cpu-linux-x64 2.10) into a 'cpu'
    // folder beside the application before giving up; the copy is useless afterwards.
    private static string LeftoverNote(string baseDir)
    {
        string cpu = Path.Combine(baseDir, "cpu");
        return Directory.Exists(cpu)
            ? $" The failed load left a copy of the native libraries in '{cpu}'; it can be deleted."
            : string.Empty;
    }

    private static string? FindLibTorchSharp(string baseDir)
    {
        string fileName = OperatingSystem.IsWindows() ? "LibTorchSharp.dll"
            : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        string direct = Path.Combine(baseDir, fileName);
        if (File.Exists(direct)) return direct;
        string runtimes = Path.Combine(baseDir, "runtimes");
        if (!Directory.Exists(runtimes)) return null;
        return Directory.EnumerateFiles(runtimes, fileName, SearchOption.AllDirectories).FirstOrDefault();
    }
}

/// <summary>Thrown when TorchSharp's native libraries cannot be loaded; the message names the cause and the fix.</summary>
public sealed class TorchSharpLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The cause and the fix.</param>
    /// <param name="inner">TorchSharp's own exception.</param>
    public TorchSharpLoadException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
