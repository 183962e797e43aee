using CsCheck;

namespace DomainAdaptation.Tests.TestSupport;

/// <summary>
/// Mutation fuzzing from seed files, on CsCheck's generators: each input is a seed file with one to four mutations —
/// a bit flipped, a byte set, an "interesting" 32-bit value written (0, −1, 2³¹ − 1, 2³¹, 2¹⁶), a range deleted,
/// duplicated or filled with random bytes, or the file cut short. Deterministic: inputs come from an explicit
/// <see cref="PCG"/> stream and seed, so a failure names the iteration that reproduces it.
/// </summary>
internal static class Mutations
{
    /// <summary>The iterations per parser: <c>DOMAINADAPTATION_FUZZ_ITERATIONS</c> when set (the benchmark-scale run), else <paramref name="ciDefault"/>.</summary>
    public static int Iterations(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable("DOMAINADAPTATION_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : ciDefault;

    private static readonly uint[] Interesting = [0u, uint.MaxValue, int.MaxValue, 1u << 31, 1u << 16];

    private readonly record struct Mutation(int Kind, int Position, byte Value, int Length);

    private static readonly Gen<Mutation[]> Gen1To4 =
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, int.MaxValue], Gen.Byte, Gen.Int[1, 64], (k, p, v, l) => new Mutation(k, p, v, l)).Array[1, 4];

    /// <summary>What a fuzz run saw.</summary>
    /// <param name="Accepted">Inputs parsed without an error.</param>
    /// <param name="Refused">Inputs refused with an expected exception.</param>
    /// <param name="MaxAllocatedBytes">The most managed memory one input made the parser allocate (this thread's, <see cref="GC.GetAllocatedBytesForCurrentThread"/>).</param>
    /// <param name="Slowest">The longest one input took.</param>
    public sealed record Result(int Accepted, int Refused, long MaxAllocatedBytes, TimeSpan Slowest)
    {
        /// <summary>The counts only.</summary>
        public void Deconstruct(out int accepted, out int refused) => (accepted, refused) = (Accepted, Refused);
    }

    /// <summary>
    /// Feeds <paramref name="iterations"/> mutants of the seeds to <paramref name="parse"/>; an exception for which
    /// <paramref name="expected"/> is false fails, naming the iteration, the seed and the exception. When
    /// <c>DOMAINADAPTATION_FUZZ_REPORT</c> names a file, one line per run is appended to it (the parser, the counts,
    /// the largest allocation and the slowest input), for the benchmark-scale run's table.
    /// </summary>
    /// <returns>The counts, the largest allocation one input caused and the slowest input.</returns>
    /// <param name="seeds">Valid files: each must parse as it is (checked first; this also warms the parser up, so one-time
    /// initialisation does not count as an input's allocation).</param>
    /// <param name="iterations">How many mutants.</param>
    /// <param name="parse">Reads one input.</param>
    /// <param name="expected">The refusals that pass.</param>
    /// <param name="allocationBound">The most managed memory one input may make the parser allocate; more fails the run.</param>
    /// <param name="seed">The PCG stream's seed.</param>
    /// <param name="parser">The test's name, for the report.</param>
    public static Result Run(IReadOnlyList<byte[]> seeds, int iterations, Action<byte[]> parse, Func<Exception, bool> expected, long allocationBound, ulong seed = 1,
        [System.Runtime.CompilerServices.CallerMemberName] string parser = "")
    {
        for (int s = 0; s < seeds.Count; s++)
        {
            try
            {
                parse(seeds[s]);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"Seed {s} ({seeds[s].Length} bytes) does not parse as it is, so its mutants would test only the refusal path: {ex}");
            }
        }

        var pcg = new PCG(1, seed);
        int accepted = 0, refused = 0;
        long maxAllocated = 0;
        TimeSpan slowest = TimeSpan.Zero;
        var total = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++)
        {
            byte[] source = seeds[(int)pcg.Next((uint)seeds.Count)];
            byte[] input = Apply(source, Gen1To4.Generate(pcg, null, out _), pcg);
            long before = GC.GetAllocatedBytesForCurrentThread();
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                parse(input);
                accepted++;
            }
            catch (Exception ex) when (expected(ex))
            {
                refused++;
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"Fuzz iteration {i} (PCG seed {seed}, {input.Length} bytes from a {source.Length}-byte seed) threw {ex.GetType().Name}, not a typed data error: {ex}");
            }

            TimeSpan took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (took > slowest) slowest = took;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            maxAllocated = Math.Max(maxAllocated, allocated);
            if (allocated > allocationBound)
            {
                throw new Xunit.Sdk.XunitException($"Fuzz iteration {i} (PCG seed {seed}, {input.Length} bytes) made the parser allocate {allocated:N0} bytes, more than the bound of {allocationBound:N0}.");
            }
        }

        string? report = Environment.GetEnvironmentVariable("DOMAINADAPTATION_FUZZ_REPORT");
        if (!string.IsNullOrEmpty(report))
        {
            File.AppendAllText(report, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{parser}\tseed {seed}\t{iterations}\taccepted {accepted}\trefused {refused}\tmax alloc {maxAllocated}\tslowest {slowest.TotalMilliseconds:F1} ms\ttotal {total.Elapsed.TotalSeconds:F0} s{Environment.NewLine}"));
        }

        return new Result(accepted, refused, maxAllocated, slowest);
    }

    private static byte[] Apply(byte[] source, Mutation[] mutations, PCG pcg)
    {
        var data = new List<byte>(source);
        foreach (Mutation m in mutations)
        {
            if (data.Count == 0) data.Add(m.Value);
            int at = m.Position % data.Count;
            int length = Math.Min(m.Length, data.Count - at);
            switch (m.Kind)
            {
                case 0:
                    data[at] ^= (byte)(1 << (m.Value & 7));
                    break;
                case 1:
                    data[at] = m.Value;
                    break;
                case 2:
                    uint value = Interesting[m.Value % Interesting.Length];
                    for (int b = 0; b < 4 && at + b < data.Count; b++) data[at + b] = (byte)(value >> (8 * (3 - b)));
                    break;
                case 3:
                    data.RemoveRange(at, length);
                    break;
                case 4:
                    data.InsertRange(at, data.GetRange(at, length));
                    break;
                case 5:
                    for (int b = 0; b < length; b++) data[at + b] = (byte)pcg.Next(256);
                    break;
                case 6:
                    data.RemoveRange(at, data.Count - at);
                    break;
                default:
                    data.Insert(at, m.Value);
                    break;
            }
        }

        return [.. data];
    }
}
