using System.Globalization;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>The process's resident set (VmRSS) and its peak (VmHWM) from /proc/self/status, in MiB.</summary>
internal static class ProcessMemory
{
    public static double ResidentMiB() => Read("VmRSS:") ?? System.Environment.WorkingSet / (1024.0 * 1024.0);

    public static double? PeakResidentMiB() => Read("VmHWM:");

    private static double? Read(string key)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (string line in File.ReadLines(status))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            string kb = line[key.Length..].Trim().Split(' ')[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) / 1024.0;
        }

        return null;
    }
}
