using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DomainAdaptation.Training;
using DomainAdaptation.Training.Precision;
using TorchSharp;

namespace DomainAdaptation.Benchmarks.Macro;

internal static class Commands
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The <c>step</c> command.</summary>
    public static Command StepCommand()
    {
        var threads = HarnessOptions.Threads(Environment.ProcessorCount);
        var warmup = HarnessOptions.Int("--warmup", 50, "Warm-up steps, not timed", min: 0);
        var steps = HarnessOptions.Int("--steps", 300, "Timed steps");
        var malloc = HarnessOptions.Malloc();
        var channelsLast = HarnessOptions.ChannelsLast();
        var size = HarnessOptions.Size();
        var driver = HarnessOptions.Choice("--driver", "trainer: AdaptationTrainer runs the steps; hand: the hand-written step mirroring dann_step.py", "trainer", "hand");
        var precision = HarnessOptions.Choice("--precision", "float32 or bfloat16 (trainer only: AdaptationTrainerOptions.Precision Full or BFloat16Mixed)", "float32", "bfloat16");
        var json = HarnessOptions.Json();
        var command = new Command("step", "Median/p90 ms per training step (64 + 64 images)") { threads, warmup, steps, malloc, channelsLast, size, driver, precision, json };
        command.SetAction(p => Step(p.GetValue(threads), p.GetValue(warmup), p.GetValue(steps), HarnessOptions.ToMalloc(p.GetValue(malloc)!), p.GetValue(channelsLast),
            p.GetValue(size), p.GetValue(driver)!, p.GetValue(precision)!, p.GetValue(json)));
        return command;
    }

    /// <summary>Median and p90 milliseconds per DANN step (64 + 64 images 3×<c>--size</c>×<c>--size</c>) after warm-up.</summary>
    public static StepResult Step(int threads, int warmup, int steps, MallocMode malloc, bool channelsLast, int size, string driver, string precisionName, string? json)
    {
        TrainingPrecision precision = precisionName == "bfloat16" ? TrainingPrecision.BFloat16Mixed : TrainingPrecision.Full;
        if (driver == "hand" && precision != TrainingPrecision.Full) throw new HarnessUsageException("--precision bfloat16 needs --driver trainer (the hand-written step is float32)");

        RunContext context = RunContext.Start("step", malloc, threads, channelsLast, size);
        Console.WriteLine(context.Describe() + $"; driver: {(driver == "trainer" ? "AdaptationTrainer" : "the hand-written step")}; precision {precisionName} (native bfloat16: {DomainAdaptation.Runtime.CpuFeatures.HasNativeBFloat16})");
        int total = warmup + steps;
        double[] samples;
        float loss = 0;
        int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
        CpuSteal steal = CpuSteal.Now();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        if (driver == "trainer")
        {
            // The trainer runs warm-up and measured steps in one run (the schedules see the whole run); CPU time,
            // GC counts and steal cover the whole run.
            (double[] all, float last) = TrainerStepDriver.Run(channelsLast, size, total, precision: precision);
            samples = all[warmup..];
            loss = last;
        }
        else
        {
            using var harness = new DannStepHarness(channelsLast, size);
            for (int i = 0; i < warmup; i++) harness.Step(i, total);
            gen0 = GC.CollectionCount(0);
            gen2 = GC.CollectionCount(2);
            steal = CpuSteal.Now();
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
            samples = new double[steps];
            for (int i = 0; i < steps; i++)
            {
                long start = Stopwatch.GetTimestamp();
                loss = harness.Step(warmup + i, total);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / (driver == "trainer" ? total : steps);
        var result = new StepResult(context, warmup, steps, Summary.Of(samples), cpuMs, GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2, loss, CpuSteal.PercentBetween(steal, CpuSteal.Now()), samples);
        Console.WriteLine(string.Create(Inv, $"step: {steps} steps at 3×{size}×{size} after {warmup} warm-up: median {result.MsPerStep.Median:F2} ms, p90 {result.MsPerStep.P90:F2} ms (p90/median {result.MsPerStep.P90OverMedian:F2}), mean {result.MsPerStep.Mean:F2}, min {result.MsPerStep.Min:F2}, max {result.MsPerStep.Max:F2}; CPU {cpuMs:F2} ms per step; gen0 GCs {result.Gen0Collections}, gen2 {result.Gen2Collections}; last loss {loss:F4}; CPU used by others {result.OthersCpuPercent:F1}%"));
        Json.Write(json, result);
        return result;
    }

    /// <summary>The <c>infer</c> command.</summary>
    public static Command InferCommand()
    {
        var threads = HarnessOptions.Threads(Environment.ProcessorCount);
        var batch = HarnessOptions.Int("--batch", 1024, "Images per batch");
        var warmup = HarnessOptions.Int("--warmup", 3, "Warm-up batches, not timed", min: 0);
        var batches = HarnessOptions.Int("--batches", 30, "Timed batches");
        var malloc = HarnessOptions.Malloc();
        var channelsLast = HarnessOptions.ChannelsLast();
        var size = HarnessOptions.Size();
        var json = HarnessOptions.Json();
        var command = new Command("infer", "Inference images/s") { threads, batch, warmup, batches, malloc, channelsLast, size, json };
        command.SetAction(p => Infer(p.GetValue(threads), p.GetValue(batch), p.GetValue(warmup), p.GetValue(batches), HarnessOptions.ToMalloc(p.GetValue(malloc)!),
            p.GetValue(channelsLast), p.GetValue(size), p.GetValue(json)));
        return command;
    }

    /// <summary>Images per second classifying batches of uint8 images 3×<c>--size</c>×<c>--size</c> (to float, normalise, features, label head, argmax).</summary>
    public static InferenceResult Infer(int threads, int batch, int warmup, int batches, MallocMode malloc, bool channelsLast, int size, string? json)
    {

        RunContext context = RunContext.Start("infer", malloc, threads, channelsLast, size);
        Console.WriteLine(context.Describe());
        using var harness = new DannStepHarness(channelsLast, size);
        harness.Model.eval();
        using var sampling = new torch.Generator(3);
        for (int i = 0; i < warmup; i++) harness.Infer(batch, sampling);

        var samples = new double[batches];
        CpuSteal steal = CpuSteal.Now();
        long all = Stopwatch.GetTimestamp();
        for (int i = 0; i < batches; i++)
        {
            long start = Stopwatch.GetTimestamp();
            harness.Infer(batch, sampling);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        double seconds = Stopwatch.GetElapsedTime(all).TotalSeconds;
        var result = new InferenceResult(context, batch, batches, batches * (double)batch / seconds, Summary.Of(samples), CpuSteal.PercentBetween(steal, CpuSteal.Now()));
        Console.WriteLine(string.Create(Inv, $"infer: batch {batch} at 3×{size}×{size}, {batches} batches: {result.ImagesPerSecond:F0} images/s (median {result.MsPerBatch.Median:F2} ms per batch); CPU used by others {result.OthersCpuPercent:F1}%"));
        Json.Write(json, result);
        return result;
    }

    /// <summary>The <c>rss</c> command.</summary>
    public static Command RssCommand()
    {
        var threads = HarnessOptions.Threads(Environment.ProcessorCount);
        var steps = HarnessOptions.Int("--steps", 5000, "Training steps");
        var every = HarnessOptions.Int("--sample-every", 100, "Read the RSS every this many steps");
        var flatFrom = HarnessOptions.Int("--flat-from", 500, "Judge flatness from this step on", min: 0);
        var driver = HarnessOptions.Choice("--driver", "trainer: AdaptationTrainer runs the steps; hand: the hand-written step", "trainer", "hand");
        var gen0Every = new Option<int?>("--gen0-every") { Description = "A gen-0 collection every this many steps (trainer: its GarbageCollectionInterval; default 100 for trainer, 0 for hand)" };
        gen0Every.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 0) r.AddError("--gen0-every expects an integer ≥ 0"); });
        var malloc = HarnessOptions.Malloc();
        var channelsLast = HarnessOptions.ChannelsLast();
        var size = HarnessOptions.Size();
        var json = HarnessOptions.Json();
        var command = new Command("rss", "Resident set over many steps, and its flatness") { threads, steps, every, flatFrom, driver, gen0Every, malloc, channelsLast, size, json };
        command.SetAction(p =>
        {
            string d = p.GetValue(driver)!;
            Rss(p.GetValue(threads), p.GetValue(steps), p.GetValue(every), p.GetValue(flatFrom), d, p.GetValue(gen0Every) ?? (d == "trainer" ? 100 : 0),
                HarnessOptions.ToMalloc(p.GetValue(malloc)!), p.GetValue(channelsLast), p.GetValue(size), p.GetValue(json));
        });
        return command;
    }

    /// <summary>RSS every <c>--sample-every</c> steps over <c>--steps</c> steps, and how flat it stays after <c>--flat-from</c>.</summary>
    public static RssResult Rss(int threads, int steps, int every, int flatFrom, string driver, int gen0Every, MallocMode malloc, bool channelsLast, int size, string? json)
    {
        if (flatFrom >= steps) throw new HarnessUsageException("--flat-from must be smaller than --steps");

        RunContext context = RunContext.Start("rss", malloc, threads, channelsLast, size);
        Console.WriteLine(context.Describe() + $"; driver: {(driver == "trainer" ? "AdaptationTrainer (GarbageCollectionInterval = --gen0-every)" : "the hand-written step")}");
        var samples = new List<RssSample> { new(0, ProcessMemory.ResidentMiB()) };
        double[] times;
        CpuSteal steal = CpuSteal.Now();
        if (driver == "trainer")
        {
            (times, _) = TrainerStepDriver.Run(channelsLast, size, steps, step =>
            {
                if (step % every == 0) samples.Add(new RssSample((int)step, ProcessMemory.ResidentMiB()));
            }, gen0Every);
        }
        else
        {
            using var harness = new DannStepHarness(channelsLast, size);
            times = new double[steps];
            for (int i = 0; i < steps; i++)
            {
                long start = Stopwatch.GetTimestamp();
                harness.Step(i, steps);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (gen0Every > 0 && (i + 1) % gen0Every == 0) GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                if ((i + 1) % every == 0)
                {
                    samples.Add(new RssSample(i + 1, ProcessMemory.ResidentMiB()));
                }
            }
        }

        double[] window = samples.Where(s => s.Step >= flatFrom).Select(s => s.ResidentMiB).ToArray();
        double mean = window.Average();
        double deviation = window.Max(v => Math.Abs(v - mean)) / mean * 100.0;
        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        Console.WriteLine(string.Create(Inv, $"rss: GCs gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}; managed heap {gc.HeapSizeBytes / 1048576.0:F1} MiB, committed {gc.TotalCommittedBytes / 1048576.0:F1} MiB; allocated {GC.GetTotalAllocatedBytes() / 1048576.0:F0} MiB in total ({GC.GetTotalAllocatedBytes() / 1024.0 / steps:F1} KiB per step); gen0 collected every {gen0Every} steps (0: never forced)"));
        var result = new RssResult(context, steps, every, flatFrom, mean, window.Min(), window.Max(), deviation, ProcessMemory.PeakResidentMiB(), Summary.Of(times), CpuSteal.PercentBetween(steal, CpuSteal.Now()), samples.ToArray());
        Console.WriteLine(string.Create(Inv, $"rss: {steps} steps at 3×{size}×{size}, sampled every {every}: from step {flatFrom} mean {mean:F1} MiB, min {result.MinMiB:F1}, max {result.MaxMiB:F1}, max deviation from the mean {deviation:F2}%; peak (VmHWM) {result.PeakMiB:F1} MiB; step median {result.MsPerStep.Median:F2} ms, p90 {result.MsPerStep.P90:F2} ms; CPU used by others {result.OthersCpuPercent:F1}%"));
        Json.Write(json, result);
        return result;
    }

    /// <summary>The <c>compare</c> command.</summary>
    public static Command CompareCommand()
    {
        var threads = HarnessOptions.Threads(Environment.ProcessorCount);
        var repeats = HarnessOptions.Int("--repeat", 3, "Alternating repeats per malloc mode");
        var steps = HarnessOptions.Int("--steps", 300, "Timed steps of each step run");
        var warmup = HarnessOptions.Int("--warmup", 50, "Warm-up steps of each step run", min: 0);
        var rssSteps = HarnessOptions.Int("--rss-steps", 5000, "Steps of each rss run (0 skips rss)", min: 0);
        var batches = HarnessOptions.Int("--batches", 30, "Timed batches of each infer run");
        var channelsLast = HarnessOptions.ChannelsLast();
        var size = HarnessOptions.Size();
        var json = HarnessOptions.Json("benchmarks/results/macro-compare.json");
        var command = new Command("compare", "step, infer and rss with glibc's default malloc and with RuntimeTuning, each in a fresh child process")
        {
            threads, repeats, steps, warmup, rssSteps, batches, channelsLast, size, json,
        };
        command.SetAction(p => Compare(p.GetValue(threads), p.GetValue(repeats), p.GetValue(steps), p.GetValue(warmup), p.GetValue(rssSteps), p.GetValue(batches),
            p.GetValue(channelsLast), p.GetValue(size), p.GetValue(json)!));
        return command;
    }

    /// <summary>
    /// Runs <c>step</c>, <c>infer</c> and <c>rss</c> in child processes, with glibc's default malloc and with RuntimeTuning's
    /// thresholds, alternating the two <c>--repeat</c> times, then prints one table and writes all results as JSON.
    /// Each child gets a clean allocator: GLIBC_TUNABLES is removed from its environment.
    /// </summary>
    public static ComparisonResult Compare(int threads, int repeats, int steps, int warmup, int rssSteps, int batches, bool channelsLast, int size, string json)
    {
        string cl = channelsLast ? "true" : "false";

        string temp = Directory.CreateTempSubdirectory("da-macro-").FullName;
        var comparison = new ComparisonResult(threads, size, repeats, [], [], []);
        string t = threads.ToString(Inv);
        string s = size.ToString(Inv);
        try
        {
            for (int r = 0; r < repeats; r++)
            {
                foreach (MallocMode mode in (MallocMode[])[MallocMode.Default, MallocMode.Tuned])
                {
                    string m = mode == MallocMode.Tuned ? "tuned" : "default";
                    string file = Path.Combine(temp, $"{m}-{r}");
                    comparison.Steps.Add(Child<StepResult>(file + "-step.json", "step", "--threads", t, "--malloc", m, "--channels-last", cl, "--size", s, "--steps", steps.ToString(Inv), "--warmup", warmup.ToString(Inv)));
                    comparison.Inference.Add(Child<InferenceResult>(file + "-infer.json", "infer", "--threads", t, "--malloc", m, "--channels-last", cl, "--size", s, "--batches", batches.ToString(Inv)));
                    if (rssSteps > 0)
                    {
                        comparison.Rss.Add(Child<RssResult>(file + "-rss.json", "rss", "--threads", t, "--malloc", m, "--channels-last", cl, "--size", s, "--steps", rssSteps.ToString(Inv)));
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }

        PrintTable(comparison);
        Json.Write(json, comparison);
        Console.WriteLine($"results: {Path.GetFullPath(json)}");
        return comparison;
    }

    private static T Child<T>(string json, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--json");
        start.ArgumentList.Add(json);
        start.Environment.Remove("GLIBC_TUNABLES");
        Console.WriteLine($"== {string.Join(' ', args)}");
        using Process child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the harness as a child process.");
        child.WaitForExit();
        if (child.ExitCode != 0) throw new InvalidOperationException($"The child run '{string.Join(' ', args)}' failed with exit code {child.ExitCode}.");
        return Json.Read<T>(json);
    }

    private static void PrintTable(ComparisonResult c)
    {
        Console.WriteLine();
        Console.WriteLine($"DANN MNIST step, 64 + 64 images 3×{c.ImageSize}×{c.ImageSize}, {c.Threads} intra-op threads; {c.Repeats} alternating repeat(s) per mode");
        Console.WriteLine("| malloc | run | step median ms | step p90 ms | p90/median | inference images/s (batch 1024) | RSS mean MiB (from step 500) | RSS max deviation | peak RSS MiB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (MallocMode mode in (MallocMode[])[MallocMode.Default, MallocMode.Tuned])
        {
            var steps = c.Steps.Where(s => s.Context.Malloc == mode).ToList();
            var infer = c.Inference.Where(s => s.Context.Malloc == mode).ToList();
            var rss = c.Rss.Where(s => s.Context.Malloc == mode).ToList();
            for (int r = 0; r < steps.Count; r++)
            {
                RssResult? m = r < rss.Count ? rss[r] : null;
                Console.WriteLine(string.Create(Inv,
                    $"| {mode} | {r + 1} | {steps[r].MsPerStep.Median:F2} | {steps[r].MsPerStep.P90:F2} | {steps[r].MsPerStep.P90OverMedian:F2} | {infer[r].ImagesPerSecond:F0} | {(m is null ? "-" : m.MeanMiB.ToString("F0", Inv))} | {(m is null ? "-" : "±" + m.MaxDeviationPercent.ToString("F1", Inv) + "%")} | {(m?.PeakMiB is { } p ? p.ToString("F0", Inv) : "-")} |"));
            }
        }
    }
}
