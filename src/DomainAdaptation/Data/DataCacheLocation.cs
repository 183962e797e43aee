namespace DomainAdaptation.Data;

/// <summary>The user's cache folder for DomainAdaptation data.</summary>
public static class DataCacheLocation
{
    /// <summary>
    /// <c>$XDG_CACHE_HOME/DomainAdaptation</c> when XDG_CACHE_HOME is set; otherwise <c>~/.cache/DomainAdaptation</c>
    /// on Linux and macOS and <c>%LOCALAPPDATA%\DomainAdaptation\cache</c> on Windows.
    /// </summary>
    public static string Default
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
            {
                return Path.Combine(xdg, "DomainAdaptation");
            }

            if (OperatingSystem.IsWindows())
            {
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "DomainAdaptation", "cache");
            }

            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home))
            {
                return Path.Combine(Path.GetTempPath(), "DomainAdaptation", "cache");
            }

            return Path.Combine(home, ".cache", "DomainAdaptation");
        }
    }
}
