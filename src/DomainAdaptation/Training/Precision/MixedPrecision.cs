using System.Globalization;
using DomainAdaptation.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Training.Precision;

/// <summary>
/// The bookkeeping of <see cref="TrainingPrecision.BFloat16Mixed"/>: master copies of a model's parameters in the
/// master dtype (the optimizer updates these), and the switch of the model between the master dtype (outside training
/// steps: evaluation, checkpoints, the caller's code) and the compute dtype (inside them).
/// </summary>
/// <remarks>
/// A step in compute mode: inputs cast by <see cref="ToCompute(DomainBatch)"/>, forward and backward passes in the
/// compute dtype, <see cref="CopyGradientsToMaster"/>, the optimizer's step on the masters, then
/// <see cref="CopyMasterToCompute"/>, which rounds the masters into the model. The model's parameters are therefore
/// always the rounded masters, so leaving and re-entering compute mode (to evaluate or save) changes nothing, and a run
/// resumed from a checkpoint (which holds the masters) continues bitwise. Buffers (batch-norm statistics) live in the
/// model and are converted with it; bfloat16 → float32 → bfloat16 is exact.
/// </remarks>
internal sealed class MixedPrecision : IDisposable
{
    private readonly nn.Module _model;
    private readonly string[] _names;
    private readonly Parameter[] _master;
    private readonly Dictionary<string, Tensor> _masterByName;
    private Parameter[] _compute = [];

    /// <summary>
    /// Whether bfloat16 steps on <paramref name="device"/> run on emulated arithmetic: on a CPU without native bfloat16
    /// (<see cref="Runtime.CpuFeatures.HasNativeBFloat16"/>), where libtorch emulates it far slower than float32.
    /// </summary>
    public static bool IsEmulated(DeviceType device, bool cpuHasNativeBFloat16) => device == DeviceType.CPU && !cpuHasNativeBFloat16;

    /// <summary>Creates masters equal to the model's parameters (the model must hold <paramref name="masterDtype"/>).</summary>
    public MixedPrecision(nn.Module model, ScalarType masterDtype, ScalarType computeDtype)
    {
        _model = model;
        MasterDtype = masterDtype;
        ComputeDtype = computeDtype;
        (string Name, Parameter Parameter)[] named = [.. model.named_parameters()];
        _names = [.. named.Select(p => p.Name)];
        using (no_grad())
        {
            _master = [.. named.Select(p => new Parameter(p.Parameter.detach().clone().DetachFromDisposeScope(), p.Parameter.requires_grad))];
        }

        _masterByName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < _names.Length; i++)
        {
            _masterByName[_names[i]] = _master[i];
        }
    }

    /// <summary>The dtype of the masters and of the model outside steps.</summary>
    public ScalarType MasterDtype { get; }

    /// <summary>The dtype of the model, its inputs and its gradients inside steps.</summary>
    public ScalarType ComputeDtype { get; }

    /// <summary>The master parameters, in the order of the model's <c>named_parameters()</c>; the optimizer owns their updates.</summary>
    public Parameter[] MasterParameters => _master;

    /// <summary>The masters by their parameters' state-dict names (for the weight average, which averages the masters).</summary>
    public IReadOnlyDictionary<string, Tensor> MastersByName => _masterByName;

    /// <summary>Whether the model currently holds the compute dtype.</summary>
    public bool InCompute { get; private set; }

    /// <summary>
    /// Copies the model's (master-dtype) parameters into the masters — so that weights loaded into the model between
    /// runs, e.g. by resuming, are trained — and converts the model to the compute dtype. No-op when already there.
    /// </summary>
    public void EnterCompute()
    {
        if (InCompute) return;
        using (no_grad())
        {
            Parameter[] current = Parameters();
            for (int i = 0; i < _master.Length; i++)
            {
                _master[i].copy_(current[i]);
            }
        }

        _model.to(ComputeDtype);
        _compute = Parameters();
        InCompute = true;
    }

    /// <summary>Converts the model back to the master dtype and puts the masters' exact values into it. No-op outside compute mode.</summary>
    public void LeaveCompute()
    {
        if (!InCompute) return;
        _model.to(MasterDtype);
        _compute = [];
        InCompute = false;
        using (no_grad())
        {
            Parameter[] current = Parameters();
            for (int i = 0; i < _master.Length; i++)
            {
                current[i].copy_(_master[i]);
            }
        }
    }

    /// <summary>Puts the master weights into the model until the returned handle is disposed (then back to compute mode if it was on).</summary>
    public IDisposable MasterWeights()
    {
        if (!InCompute) return NoOp.Instance;
        LeaveCompute();
        return new Reenter(this);
    }

    /// <summary>The batch with its images cast to the compute dtype (labels unchanged).</summary>
    public DomainBatch ToCompute(DomainBatch batch) =>
        new(batch.SourceImages.to_type(ComputeDtype), batch.SourceLabels, batch.TargetImages.to_type(ComputeDtype), batch.TargetLabels);

    /// <summary>Clears the model's gradients (the compute-dtype ones).</summary>
    public void ZeroComputeGradients() => _model.zero_grad();

    /// <summary>Sets each master's gradient to its compute parameter's, converted to the master dtype (none where the model has none).</summary>
    public void CopyGradientsToMaster()
    {
        using (no_grad())
        {
            for (int i = 0; i < _master.Length; i++)
            {
                using Tensor? gradient = _compute[i].grad;
                if (gradient is null)
                {
                    _master[i].grad = null;
                    continue;
                }

                using Tensor? masterGradient = _master[i].grad;
                if (masterGradient is null)
                {
                    using Tensor converted = gradient.to_type(MasterDtype);
                    _master[i].grad = converted;
                }
                else
                {
                    masterGradient.copy_(gradient);
                }
            }
        }
    }

    /// <summary>Rounds the (just updated) masters into the model's compute parameters.</summary>
    public void CopyMasterToCompute()
    {
        using (no_grad())
        {
            for (int i = 0; i < _master.Length; i++)
            {
                _compute[i].copy_(_master[i]);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (Parameter master in _master)
        {
            master.Dispose();
        }
    }

    private Parameter[] Parameters()
    {
        Dictionary<string, Parameter> byName = _model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var result = new Parameter[_names.Length];
        for (int i = 0; i < _names.Length; i++)
        {
            if (!byName.TryGetValue(_names[i], out Parameter? parameter) || byName.Count != _names.Length)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The model's parameters changed during mixed-precision training: expected {_names.Length} named as at the start, found {byName.Count}{(parameter is null ? $" and no '{_names[i]}'" : string.Empty)}. Do not add or remove parameters while a trainer uses TrainingPrecision.BFloat16Mixed."));
            }

            result[i] = parameter;
        }

        return result;
    }

    private sealed class NoOp : IDisposable
    {
        public static readonly NoOp Instance = new();

        public void Dispose()
        {
        }
    }

    private sealed class Reenter(MixedPrecision owner) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            owner.EnterCompute();
        }
    }
}
