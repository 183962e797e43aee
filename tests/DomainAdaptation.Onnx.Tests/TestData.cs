namespace DomainAdaptation.Onnx.Tests;

/// <summary>The real data root: DOMAINADAPTATION_DATA, else ../shared/data beside the repository; a clear error when missing.</summary>
internal static class TestData
{
    private static readonly Lazy<string> RootValue = new(Resolve);

    /// <summary>The data root (holding mnist/, mnist_m/).</summary>
    public static string Root => RootValue.Value;

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
