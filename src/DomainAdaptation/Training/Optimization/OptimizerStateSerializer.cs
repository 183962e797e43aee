using System.Globalization;
using DomainAdaptation.Training.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Training.Optimization;

/// <summary>
/// Reads and restores the per-parameter state of TorchSharp's SGD and Adam as named tensors. TorchSharp's own
/// <c>save_state_dict</c> is not used: when restoring SGD into a fresh optimizer it creates momentum buffers with the
/// default dtype on the CPU, which fails for float64 models and for models on a GPU.
/// </summary>
internal static class OptimizerStateSerializer
{
    /// <summary>The optimizer's state tensors, keyed "index.name" by parameter order.</summary>
    public static IEnumerable<(string Key, Tensor Value)> Export(OptimizerHelper optimizer)
    {
        List<TorchSharp.Modules.OptimizerState> states = optimizer.state_dict().State;
        for (int i = 0; i < states.Count; i++)
        {
            switch (states[i])
            {
                case SGD.State sgd:
                    if (sgd.momentum_buffer is not null) yield return (Key(i, "momentum_buffer"), sgd.momentum_buffer);
                    break;
                case Adam.State adam:
                    yield return (Key(i, "step"), tensor(adam.step));
                    yield return (Key(i, "exp_avg"), adam.exp_avg);
                    yield return (Key(i, "exp_avg_sq"), adam.exp_avg_sq);
                    if (adam.max_exp_avg_sq is not null) yield return (Key(i, "max_exp_avg_sq"), adam.max_exp_avg_sq);
                    break;
                default:
                    throw new NotSupportedException($"Saving the state of {states[i].GetType().FullName} is not supported; use SGD or Adam.");
            }
        }
    }

    /// <summary>Restores state exported by <see cref="Export"/> into an optimizer over the same parameters.</summary>
    public static void Import(OptimizerHelper optimizer, IReadOnlyList<Parameter> parameters, IReadOnlyDictionary<string, Tensor> stored, string path)
    {
        List<TorchSharp.Modules.OptimizerState> states = optimizer.state_dict().State;
        if (states.Count != parameters.Count)
        {
            throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture, $"the optimizer has {states.Count} parameter states but the model has {parameters.Count} parameters."));
        }

        int maxIndex = stored.Keys.Select(k => int.Parse(k.AsSpan(0, k.IndexOf('.', StringComparison.Ordinal)), CultureInfo.InvariantCulture)).DefaultIfEmpty(-1).Max();
        if (maxIndex >= states.Count)
        {
            throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture, $"the saved optimizer state covers parameter {maxIndex}, but the model has only {states.Count} parameters."));
        }

        using var noGrad = no_grad();
        for (int i = 0; i < states.Count; i++)
        {
            Parameter parameter = parameters[i];
            switch (states[i])
            {
                case SGD.State sgd:
                {
                    Tensor? buffer = stored.GetValueOrDefault(Key(i, "momentum_buffer"));
                    sgd.momentum_buffer?.Dispose();
                    sgd.momentum_buffer = buffer is null ? null! : Like(buffer, parameter, Key(i, "momentum_buffer"), path).DetachFromDisposeScope();
                    break;
                }

                case Adam.State adam:
                {
                    adam.step = Required(stored, Key(i, "step"), path).ToInt64();
                    adam.exp_avg.copy_(Like(Required(stored, Key(i, "exp_avg"), path), parameter, Key(i, "exp_avg"), path));
                    adam.exp_avg_sq.copy_(Like(Required(stored, Key(i, "exp_avg_sq"), path), parameter, Key(i, "exp_avg_sq"), path));
                    Tensor? max = stored.GetValueOrDefault(Key(i, "max_exp_avg_sq"));
                    if (max is not null)
                    {
                        if (adam.max_exp_avg_sq is null) adam.max_exp_avg_sq = zeros_like(parameter).DetachFromDisposeScope();
                        adam.max_exp_avg_sq.copy_(Like(max, parameter, Key(i, "max_exp_avg_sq"), path));
                    }

                    break;
                }

                default:
                    throw new NotSupportedException($"Restoring the state of {states[i].GetType().FullName} is not supported; use SGD or Adam.");
            }
        }
    }

    private static Tensor Required(IReadOnlyDictionary<string, Tensor> stored, string key, string path) =>
        stored.TryGetValue(key, out Tensor? value) ? value : throw new CheckpointException(path, $"the optimizer state has no entry '{key}' (was it written by another optimizer?).");

    private static Tensor Like(Tensor stored, Parameter parameter, string key, string path)
    {
        if (!stored.shape.SequenceEqual(parameter.shape))
        {
            throw new CheckpointException(path, $"optimizer state '{key}' has shape [{string.Join(", ", stored.shape)}] but its parameter has [{string.Join(", ", parameter.shape)}].");
        }

        return stored.to(parameter.dtype, parameter.device, copy: true);
    }

    private static string Key(int index, string name) => string.Create(CultureInfo.InvariantCulture, $"{index}.{name}");
}
