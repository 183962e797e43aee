using DomainAdaptation.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Training;

/// <summary>
/// An exponential moving average of a model's weights (Polyak–Ruppert averaging with exponential forgetting), kept
/// beside the model and updated after every optimizer step. Evaluating the average instead of the last step's weights
/// smooths out the step-to-step jitter of SGD and of the adversarial game without changing the training trajectory.
/// </summary>
/// <remarks>
/// <para>
/// After update <c>n</c> (1-based), every floating-point parameter and buffer θ has an average
/// <c>θ̄ₙ = dₙ θ̄ₙ₋₁ + (1 − dₙ) θₙ</c> with <c>θ̄₀ = θ₀</c> (the weights when the average was created) and
/// <c>dₙ = min(Decay, (1 + n) / (10 + n))</c>: the warm-up of TensorFlow's <c>ExponentialMovingAverage</c>, so that the
/// initial weights are forgotten within the first few hundred updates even when <see cref="Decay"/> is close to 1.
/// Other buffers (integer counters such as batch norm's <c>num_batches_tracked</c>) are copied, not averaged.
/// With <c>Decay = 0.999</c> the average weights the last ~1,000 steps most.
/// </para>
/// <para>
/// The average lives on the model's device in the model's dtype. It is keyed by the model's <c>state_dict()</c> names,
/// which is also how checkpoints store it. Not thread-safe.
/// </para>
/// </remarks>
public sealed class WeightAverage : IDisposable
{
    private readonly nn.Module _model;
    private readonly Dictionary<string, Tensor> _average;
    private bool _disposed;

    /// <summary>Starts an average at the model's current weights.</summary>
    /// <param name="model">The model whose weights are averaged; it is tracked, not owned.</param>
    /// <param name="decay">The decay d in [0, 1): the weight of the previous average at each update.</param>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="decay"/> is not in [0, 1).</exception>
    public WeightAverage(nn.Module model, double decay)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!double.IsFinite(decay) || decay is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The decay of a weight average must be in [0, 1) (e.g. 0.999).");
        }

        _model = model;
        Decay = decay;
        using var noGrad = no_grad();
        _average = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach ((string key, Tensor value) in model.state_dict())
        {
            _average[key] = value.detach().clone().DetachFromDisposeScope();
        }
    }

    /// <summary>The decay d (the largest per-update decay; see the remarks for the warm-up).</summary>
    public double Decay { get; }

    /// <summary>How many updates the average has taken.</summary>
    public long Updates { get; private set; }

    /// <summary>The names of the averaged entries (the model's <c>state_dict()</c> keys).</summary>
    public IReadOnlyCollection<string> Keys => _average.Keys;

    /// <summary>The decay used by update <paramref name="n"/> (1-based): <c>min(Decay, (1 + n) / (10 + n))</c>.</summary>
    /// <param name="n">The update number, ≥ 1.</param>
    /// <returns>The effective decay.</returns>
    public double DecayAt(long n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return Math.Min(Decay, (1.0 + n) / (10.0 + n));
    }

    /// <summary>Folds the model's current weights into the average (call after each optimizer step).</summary>
    public void Update() => Update(null);

    /// <summary>
    /// Folds the model's current weights into the average, reading the entries named in <paramref name="sources"/> from
    /// there instead (mixed precision: the float32 master weights instead of the model's bfloat16 parameters). Entries
    /// of another floating-point dtype than the average's are converted first.
    /// </summary>
    internal void Update(IReadOnlyDictionary<string, Tensor>? sources)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        double d = DecayAt(Updates + 1);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach ((string key, Tensor value) in _model.state_dict())
        {
            Tensor average = Entry(key);
            Tensor current = sources is not null && sources.TryGetValue(key, out Tensor? source) ? source : value;
            if (average.is_floating_point())
            {
                // θ̄ ← θ̄ + (1 − d)(θ − θ̄) = d θ̄ + (1 − d) θ
                average.lerp_(current.dtype == average.dtype ? current : current.to_type(average.dtype), 1.0 - d);
            }
            else
            {
                average.copy_(current);
            }
        }

        Updates++;
    }

    /// <summary>Copies the averaged weights into a model of the same architecture (e.g. for export or deployment).</summary>
    /// <param name="model">The destination; every state entry must match by name and shape.</param>
    /// <exception cref="ArgumentException">When the model's entries do not match the average's.</exception>
    public void CopyTo(nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Dictionary<string, Tensor> state = model.state_dict();
        if (Mismatch(state, "the model") is { } problem) throw new ArgumentException(problem, nameof(model));
        StateEntries.Copy(_average, state);
    }

    /// <summary>
    /// Copies the averaged entries under <paramref name="prefix"/> (without it) into <paramref name="model"/>: the trainer
    /// averages the model and the method's modules together, as <c>model.*</c> and <c>method.*</c>.
    /// </summary>
    /// <param name="model">The destination; every entry under the prefix must match by name and shape.</param>
    /// <param name="prefix">The key prefix, e.g. "model.".</param>
    /// <exception cref="ArgumentException">When the model's entries do not match the average's.</exception>
    public void CopyTo(nn.Module model, string prefix)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prefix);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Dictionary<string, Tensor> part = Checkpoint.Under(_average, prefix);
        Dictionary<string, Tensor> state = model.state_dict();
        if (StateEntries.KeyMismatch(state, "the model", part, $"the average's '{prefix}' entries") is { } keys)
        {
            throw new ArgumentException($"The entries of the model do not match the averaged '{prefix}' entries: {keys}.", nameof(model));
        }

        if (StateEntries.ShapeMismatch(state, "the model", part, "the average") is { } shape) throw new ArgumentException(shape, nameof(model));
        StateEntries.Copy(part, state);
    }

    /// <summary>
    /// Puts the averaged weights into the tracked model until the returned handle is disposed, which puts the trained
    /// weights back (use it around evaluation).
    /// </summary>
    /// <returns>The handle that restores the trained weights.</returns>
    public IDisposable Apply()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Dictionary<string, Tensor> state = _model.state_dict();
        var saved = state.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope(), StringComparer.Ordinal);
        StateEntries.Copy(_average, state);
        return new Restore(_model, saved);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (Tensor t in _average.Values) t.Dispose();
        _average.Clear();
    }

    /// <summary>The averaged entries, for checkpoints.</summary>
    internal IEnumerable<(string Key, Tensor Value)> Entries => _average.Select(kv => (kv.Key, kv.Value));

    /// <summary>Restores the average and its update count from a checkpoint's entries.</summary>
    internal void Load(IReadOnlyDictionary<string, Tensor> stored, long updates, string path)
    {
        if (Mismatch(stored, "the checkpoint's weight average") is { } problem) throw new CheckpointException(path, problem);
        StateEntries.Copy(stored, _average);
        Updates = updates;
    }

    private Tensor Entry(string key) =>
        _average.TryGetValue(key, out Tensor? t)
            ? t
            : throw new InvalidOperationException($"The model gained the state entry '{key}' after its weight average was created; create the average after building the model.");

    /// <summary>Null when <paramref name="other"/> has the average's names and shapes; otherwise what differs.</summary>
    private string? Mismatch(IReadOnlyDictionary<string, Tensor> other, string otherName) =>
        StateEntries.KeyMismatch(other, otherName, _average, "the average") is { } keys
            ? $"The entries of {otherName} do not match the averaged model: {keys}."
            : StateEntries.ShapeMismatch(other, otherName, _average, "the average");

    private sealed class Restore(nn.Module model, Dictionary<string, Tensor> saved) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            StateEntries.Copy(saved, model.state_dict());
            foreach (Tensor t in saved.Values) t.Dispose();
        }
    }
}
