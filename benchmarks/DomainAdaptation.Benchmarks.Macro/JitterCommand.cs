using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace DomainAdaptation.Benchmarks.Macro;

/// <summary>The machine's own timing noise (see <see cref="JitterCommand"/>).</summary>
internal sealed record JitterResult(
    Machine Machine,
    double[] LoadAverageAtStart,
    int Threads,
    double TargetMs,
    long IterationsPerThread,
    int Warmup,
    int Repetitions,
    Summary MsPerRepetition,
    double OthersCpuPercent,
    double[] SamplesMs);

/// <summary>
/// The noise floor of step-time measurements on this machine: the same fixed, allocation-free arithmetic loop — no
/// TorchSharp, no memory traffic beyond registers, nothing that can vary from one repetition to the next — timed
/// <c>--steps</c> times, sized during warm-up to last about <c>--ms</c> milliseconds. With <c>--threads 2</c> the timing
/// thread and one more run it at once between two barriers and a repetition lasts until the slower one finishes, the
/// way a step with two intra-op threads waits for its slowest thread. On a quiet, dedicated CPU p90/median is ≈ 1.0; what
/// this shows above that is what every step-time p90/median measured here inherits.
/// </summary>
internal static class JitterCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The <c>jitter</c> command.</summary>
    public static Command Create()
    {
        var threads = HarnessOptions.Int("--threads", 1, "Threads running the loop (1 or 2)");
        var warmup = HarnessOptions.Int("--warmup", 20, "Warm-up repetitions, not timed", min: 0);
        var steps = HarnessOptions.Int("--steps", 300, "Timed repetitions");
        var ms = HarnessOptions.Int("--ms", 30, "Length of one repetition in ms");
        var json = HarnessOptions.Json();
        var command = new Command("jitter", "The machine's own timing noise: a fixed arithmetic loop (no TorchSharp) timed repeatedly") { threads, warmup, steps, ms, json };
        command.SetAction(p => Run(p.GetValue(threads), p.GetValue(warmup), p.GetValue(steps), p.GetValue(ms), p.GetValue(json)));
        return command;
    }

    public static JitterResult Run(int threads, int warmup, int steps, int targetMs, string? json)
    {
        if (threads > Environment.ProcessorCount)
        {
            throw new HarnessUsageException($"--threads {threads} exceeds the {Environment.ProcessorCount} logical cores; the loop would time the scheduler, not the machine");
        }

        double[] load = Machine.LoadAverage();
        long iterations = Calibrate(targetMs);
        Console.WriteLine(string.Create(Inv, $"jitter: {threads} thread(s), a fixed arithmetic loop of {iterations:N0} iterations per thread (~{targetMs} ms), {warmup} warm-up + {steps} timed repetitions; load average {string.Join(' ', load)}"));

        // The timing thread does a share of the work itself, as the master thread of an OpenMP region does: with a
        // separate timing thread, three runnable threads on two cores would start the clock late.
        using var start = new Barrier(threads);
        using var end = new Barrier(threads);
        var sums = new double[threads];
        bool stop = false;
        var workers = new Thread[threads - 1];
        for (int t = 1; t < threads; t++)
        {
            int index = t;
            workers[t - 1] = new Thread(() =>
            {
                double local = 0;
                while (true)
                {
                    start.SignalAndWait();
                    if (Volatile.Read(ref stop)) break;
                    local += Spin(iterations, 1.0 + index);
                    end.SignalAndWait();
                }

                sums[index] = local; // read after Join: keeps the loop's result alive
            })
            { IsBackground = true, Name = $"jitter-{t}" };
            workers[t - 1].Start();
        }

        double Repeat()
        {
            long begin = Stopwatch.GetTimestamp();
            start.SignalAndWait();
            sums[0] += Spin(iterations, 1.0);
            end.SignalAndWait();
            return Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
        }

        for (int i = 0; i < warmup; i++) Repeat();
        CpuSteal steal = CpuSteal.Now();
        var samples = new double[steps];
        for (int i = 0; i < steps; i++) samples[i] = Repeat();
        double othersCpu = CpuSteal.PercentBetween(steal, CpuSteal.Now());
        Volatile.Write(ref stop, true);
        start.SignalAndWait();
        foreach (Thread worker in workers) worker.Join();

        var result = new JitterResult(Machine.Current(), load, threads, targetMs, iterations, warmup, steps, Summary.Of(samples), othersCpu, samples);
        Console.WriteLine(string.Create(Inv, $"jitter: {steps} repetitions: median {result.MsPerRepetition.Median:F2} ms, p90 {result.MsPerRepetition.P90:F2} ms (p90/median {result.MsPerRepetition.P90OverMedian:F2}), min {result.MsPerRepetition.Min:F2}, max {result.MsPerRepetition.Max:F2}; CPU used by others {othersCpu:F1}% (checksum {sums.Sum():G4})"));
        Json.Write(json, result);
        return result;
    }

    /// <summary>Iterations of <see cref="Spin"/> that take about <paramref name="targetMs"/> on this thread (best of 5 probes).</summary>
    private static long Calibrate(int targetMs)
    {
        const long probe = 2_000_000;
        Spin(probe, 1.0);
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            long begin = Stopwatch.GetTimestamp();
            Spin(probe, 1.0);
            best = Math.Min(best, Stopwatch.GetElapsedTime(begin).TotalMilliseconds);
        }

        return Math.Max(1, (long)(probe * targetMs / best));
    }

    /// <summary>A dependent chain of multiply-adds: the same instructions every call, all in registers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Spin(long iterations, double seed)
    {
        double x = seed;
        for (long i = 0; i < iterations; i++)
        {
            x = (x * 0.999999999) + 1e-9;
        }

        return x;
    }
}
