using System.Diagnostics;
using System.Globalization;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>
/// How busy the machine was with work other than this process between two snapshots, in percent of all CPU time
/// (all cores): busy time from /proc/stat (user, nice, system, irq, softirq, and steal, the time the hypervisor gave to
/// other guests) minus this process's own CPU time. On a shared machine it tells whether a timing was taken while quiet.
/// </summary>
internal readonly record struct CpuSteal(long BusyTicks, long TotalTicks, double OwnSeconds)
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux

    public static CpuSteal Now()
    {
        double own = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        if (!File.Exists("/proc/stat")) return new CpuSteal(0, 0, own);
        string line = File.ReadLines("/proc/stat").First();
        long[] v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        long total = v.Take(8).Sum();
        long busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v.Length > 7 ? v[7] : 0);
        return new CpuSteal(busy, total, own);
    }

    /// <summary>CPU time used by others (processes and other guests) between the snapshots, in percent of capacity.</summary>
    public static double PercentBetween(CpuSteal start, CpuSteal end)
    {
        long total = end.TotalTicks - start.TotalTicks;
        if (total <= 0) return 0;
        double others = (end.BusyTicks - start.BusyTicks) - ((end.OwnSeconds - start.OwnSeconds) * TicksPerSecond);
        return Math.Max(0, 100.0 * others / total);
    }
}
