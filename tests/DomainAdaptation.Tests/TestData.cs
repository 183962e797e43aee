namespace DomainAdaptation.Tests;

/// <summary>
/// Finds the real data sets for tests: the DOMAINADAPTATION_DATA environment variable, else <c>../shared/data</c>
/// relative to the repository root (the folder holding DomainAdaptation.sln). Fails loudly when missing.
/// </summary>
public static class TestData
{
    private static readonly Lazy<string> RootValue = new(Resolve);

    /// <summary>The data root (holding mnist/, mnist_m/, bsds500/).</summary>
    public static string Root => RootValue.Value;

    /// <summary>A path below the data root; throws when it does not exist.</summary>
    public static string PathOf(params string[] parts)
    {
        string path = Path.Combine([Root, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException($"The test data file '{path}' is missing. The data root is '{Root}' (from {Source}); see ../shared/data/SOURCES.md.", path);
        }

        return path;
    }

    private static string Source => Environment.GetEnvironmentVariable("DOMAINADAPTATION_DATA") is { Length: > 0 }
        ? "DOMAINADAPTATION_DATA"
        : "../shared/data relative to the repository root";

    private static string Resolve()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("DOMAINADAPTATION_DATA");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            string full = Path.GetFullPath(fromEnvironment);
            return Directory.Exists(full)
                ? full
                : throw new DirectoryNotFoundException($"DOMAINADAPTATION_DATA is '{fromEnvironment}', but the folder '{full}' does not exist.");
        }

        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DomainAdaptation.sln"))) dir = dir.Parent;
        if (dir is null)
        {
            throw new DirectoryNotFoundException($"Could not find the repository root (DomainAdaptation.sln) above '{AppContext.BaseDirectory}'; set DOMAINADAPTATION_DATA to the data folder.");
        }

        string root = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
        return Directory.Exists(root)
            ? root
            : throw new DirectoryNotFoundException($"The test data folder '{root}' (../shared/data beside the repository '{dir.FullName}') does not exist; set DOMAINADAPTATION_DATA to the data folder.");
    }
}
