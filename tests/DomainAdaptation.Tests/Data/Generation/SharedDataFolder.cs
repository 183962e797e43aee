namespace DomainAdaptation.Tests.Data.Generation;

/// <summary>
/// Finds the shared data folder: DOMAINADAPTATION_DATA, else ../shared/data beside the repository root. Tests that
/// need real data call <see cref="Require"/>, which fails loudly with where it looked.
/// </summary>
internal static class SharedDataFolder
{
    public static string Root
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable("DOMAINADAPTATION_DATA");
            if (!string.IsNullOrWhiteSpace(fromEnv)) return Path.GetFullPath(fromEnv);
            return Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "data"));
        }
    }

    /// <summary>The full path of a file or folder under the data root; throws with the places looked at when it is missing.</summary>
    public static string Require(string relativePath)
    {
        string path = Path.Combine(Root, relativePath);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new InvalidOperationException(
                $"Test data '{relativePath}' is missing: looked for '{path}' (data root from DOMAINADAPTATION_DATA, else ../shared/data beside the repository root '{RepositoryRoot()}'). " +
                "Set DOMAINADAPTATION_DATA to the folder holding mnist/, mnist_m/ and bsds500/.");
        }

        return path;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DomainAdaptation.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException($"DomainAdaptation.sln was not found above '{AppContext.BaseDirectory}'.");
    }
}
