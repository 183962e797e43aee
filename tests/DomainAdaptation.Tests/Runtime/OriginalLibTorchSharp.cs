using System.Reflection;
using TorchSharp;

namespace DomainAdaptation.Tests.Runtime;

/// <summary>
/// The unpatched <c>libLibTorchSharp.so</c> as shipped in the TorchSharp NuGet package. Tests COPY it and never modify
/// the package cache.
/// </summary>
internal static class OriginalLibTorchSharp
{
    private static readonly Lazy<string> Located = new(Locate);

    public static string Path => Located.Value;

    private static string Locate()
    {
        string? root = typeof(OriginalLibTorchSharp).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value;
        if (string.IsNullOrEmpty(root))
        {
            root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        // The TorchSharp package version equals its assembly's informational version (0.107.0).
        string version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        string path = System.IO.Path.Combine(root, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The unpatched libLibTorchSharp.so of TorchSharp {version} was expected at '{path}' (NuGet package root '{root}'). Run 'dotnet restore'.",
                path);
        }

        return path;
    }
}
