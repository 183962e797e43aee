using DomainAdaptation.Data.Batching;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods;

/// <summary>
/// Where training stands during one step, handed to a method: the step, the planned total, the progress
/// <c>p = step / total</c> from which every schedule is read (λ_p, ramp-ups, thresholds), the device and dtype, and
/// seeded random generators. Nothing in a method counts its own calls: two forward passes in one step see the same
/// <see cref="Progress"/>, and a resumed run sees the same values as an uninterrupted one.
/// </summary>
/// <remarks>
/// <see cref="Generator"/> gives CPU generators seeded from (run seed, step, stream) only, so that per-step randomness
/// (augmented views, random projections) repeats exactly on resume and does not depend on how many numbers other code
/// drew. Draw on the CPU and move the result to <see cref="Device"/>: the values are then the same on every device.
/// The generators are disposed when the step ends.
/// </remarks>
public sealed class StepContext : IDisposable
{
    private readonly Dictionary<int, Generator> _generators = [];
    private bool _disposed;

    /// <summary>Creates a context (the trainer does this once per step; tests may too).</summary>
    /// <param name="step">The zero-based index of this step.</param>
    /// <param name="totalSteps">The planned number of steps; positive.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="device">The training device.</param>
    /// <param name="dtype">The dtype of the model and the batch during the step (bfloat16 under mixed precision).</param>
    /// <exception cref="ArgumentOutOfRangeException">When the step lies outside [0, totalSteps).</exception>
    public StepContext(long step, long totalSteps, long seed, Device device, ScalarType dtype)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, totalSteps);
        ArgumentNullException.ThrowIfNull(device);
        Step = step;
        TotalSteps = totalSteps;
        Progress = Schedules.Progress.Of(step, totalSteps);
        Seed = seed;
        Device = device;
        Dtype = dtype;
    }

    /// <summary>The zero-based index of this step (0 for the first).</summary>
    public long Step { get; }

    /// <summary>The planned number of steps.</summary>
    public long TotalSteps { get; }

    /// <summary>The training progress <c>p = Step / TotalSteps</c> in [0, 1), at which every schedule is read.</summary>
    public double Progress { get; }

    /// <summary>The run's seed.</summary>
    public long Seed { get; }

    /// <summary>The training device.</summary>
    public Device Device { get; }

    /// <summary>The dtype of the model's parameters and the batch during the step.</summary>
    public ScalarType Dtype { get; }

    /// <summary>
    /// A CPU generator for this step and <paramref name="stream"/>, seeded from (run seed, step, stream) only; the same
    /// stream returns the same generator within a step. Use a distinct stream number for each independent use.
    /// </summary>
    /// <param name="stream">A number that names the use, e.g. 1 for the weak view and 2 for the strong one.</param>
    /// <returns>The generator; owned by this context.</returns>
    public Generator Generator(int stream)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_generators.TryGetValue(stream, out Generator? generator))
        {
            generator = new Generator(DeterministicRandom.Mix(Seed, 3, Step, stream) >> 1, CPU);
            _generators[stream] = generator;
        }

        return generator;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (Generator g in _generators.Values) g.Dispose();
        _generators.Clear();
    }
}
