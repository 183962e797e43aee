using DomainAdaptation.Data;
using DomainAdaptation.Models;
using DomainAdaptation.Training;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods;

/// <summary>
/// The shared forward pass of one batch through the model: features <c>[B, F]</c> and class logits <c>[B, K]</c> of
/// the source and the target half, computed once (on first use) and read by every loss term, so that methods composed
/// together (DANN + MCC) see the same pass — the same dropout masks and batch-norm statistics — and pay for it once.
/// </summary>
/// <remarks>
/// <para>
/// With <see cref="BatchNormMode.Joint"/> and both halves needed, the halves go through the model as one batch
/// <c>[x_s; x_t]</c> (batch statistics mix the domains); with <see cref="BatchNormMode.Separate"/> the source half goes
/// first, then the target half, each through the feature extractor and the label classifier. A method that needs one
/// half (<see cref="ForwardNeeds"/>) gets a pass of that half only.
/// </para>
/// <para>
/// Logits are given in loss precision: float32 when the model computes in bfloat16 or float16
/// (<see cref="Training.Precision.TrainingPrecision.BFloat16Mixed"/>), so that softmax and losses run in float32; features keep the
/// model's dtype (apply <see cref="ToLossPrecision"/> before computing a loss from them).
/// </para>
/// </remarks>
public sealed class StepForward
{
    private readonly ForwardNeeds _needs;
    private bool _done;
    private Tensor? _features;
    private Tensor? _logits;
    private Tensor? _sourceFeatures;
    private Tensor? _sourceLogits;
    private Tensor? _targetFeatures;
    private Tensor? _targetLogits;

    /// <summary>Prepares the pass; nothing runs until a value is read.</summary>
    /// <param name="model">The model, in training mode.</param>
    /// <param name="batch">The batch on the training device.</param>
    /// <param name="passes">One joint pass or one per domain.</param>
    /// <param name="needs">The halves to pass through the model.</param>
    public StepForward(AdaptationModel model, DomainBatch batch, BatchNormMode passes, ForwardNeeds needs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        Model = model;
        Batch = batch;
        Passes = passes;
        _needs = needs;
    }

    /// <summary>The model.</summary>
    public AdaptationModel Model { get; }

    /// <summary>The batch (source images and labels, target images; target labels only for target-only training).</summary>
    public DomainBatch Batch { get; }

    /// <summary>How the halves pass through the model.</summary>
    public BatchNormMode Passes { get; }

    /// <summary>The number of source samples in the batch.</summary>
    public long SourceCount => Batch.SourceImages.shape[0];

    /// <summary>The number of target samples in the batch.</summary>
    public long TargetCount => Batch.TargetImages.shape[0];

    /// <summary>Source features <c>[B_s, F]</c> (model dtype).</summary>
    public Tensor SourceFeatures => Run(ForwardNeeds.Source)._sourceFeatures!;

    /// <summary>Source class logits <c>[B_s, K]</c> (loss precision).</summary>
    public Tensor SourceLogits => Run(ForwardNeeds.Source)._sourceLogits!;

    /// <summary>Target features <c>[B_t, F]</c> (model dtype).</summary>
    public Tensor TargetFeatures => Run(ForwardNeeds.Target)._targetFeatures!;

    /// <summary>Target class logits <c>[B_t, K]</c> (loss precision).</summary>
    public Tensor TargetLogits => Run(ForwardNeeds.Target)._targetLogits!;

    /// <summary>Features of both halves, <c>[B_s + B_t, F]</c>, source first.</summary>
    public Tensor Features => Run(ForwardNeeds.Both)._features ??= cat([_sourceFeatures!, _targetFeatures!], 0);

    /// <summary>Class logits of both halves, <c>[B_s + B_t, K]</c>, source first (loss precision).</summary>
    public Tensor Logits => Run(ForwardNeeds.Both)._logits ??= cat([_sourceLogits!, _targetLogits!], 0);

    /// <summary>
    /// Applies a head to the features of both halves in the grouping of the passes — one call on <c>[f_s; f_t]</c> for
    /// a joint pass, one call per half (then concatenated) for separate passes — so that a head with batch
    /// normalisation sees the same batches as the model did.
    /// </summary>
    /// <param name="head">Features → output.</param>
    /// <returns>The head's output for <c>[source; target]</c>, in the head's dtype.</returns>
    public Tensor ApplyHead(Func<Tensor, Tensor> head)
    {
        ArgumentNullException.ThrowIfNull(head);
        Run(ForwardNeeds.Both);
        return Joint ? head(_features!) : cat([head(_sourceFeatures!), head(_targetFeatures!)], 0);
    }

    /// <summary>As <see cref="ApplyHead(Func{Tensor, Tensor})"/>, for a head that also reads the class logits (CDAN's conditioning).</summary>
    /// <param name="head">(features, logits in loss precision) → output.</param>
    /// <returns>The head's output for <c>[source; target]</c>.</returns>
    public Tensor ApplyHead(Func<Tensor, Tensor, Tensor> head)
    {
        ArgumentNullException.ThrowIfNull(head);
        Run(ForwardNeeds.Both);
        return Joint ? head(_features!, _logits!) : cat([head(_sourceFeatures!, _sourceLogits!), head(_targetFeatures!, _targetLogits!)], 0);
    }

    /// <summary>A bfloat16 or float16 tensor as float32 (for losses and softmax); other tensors unchanged.</summary>
    /// <param name="tensor">Logits or features.</param>
    /// <returns>The tensor in loss precision.</returns>
    public static Tensor ToLossPrecision(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? tensor.to_type(ScalarType.Float32) : tensor;
    }

    private bool Joint => Passes == BatchNormMode.Joint && _needs == ForwardNeeds.Both;

    private StepForward Run(ForwardNeeds wanted)
    {
        if ((_needs & wanted) != wanted)
        {
            throw new InvalidOperationException($"The method declared ForwardNeeds.{_needs} but reads {wanted} outputs of the shared forward pass; declare ForwardNeeds.{_needs | wanted} (AdaptationMethod.Needs).");
        }

        if (_done) return this;
        _done = true;
        if (Joint)
        {
            long b = SourceCount;
            _features = Model.Features(cat([Batch.SourceImages, Batch.TargetImages], 0));
            _logits = ToLossPrecision(Model.ClassifyFeatures(_features));
            _sourceFeatures = _features.narrow(0, 0, b);
            _targetFeatures = _features.narrow(0, b, TargetCount);
            _sourceLogits = _logits.narrow(0, 0, b);
            _targetLogits = _logits.narrow(0, b, TargetCount);
            return this;
        }

        if ((_needs & ForwardNeeds.Source) != 0)
        {
            _sourceFeatures = Model.Features(Batch.SourceImages);
            _sourceLogits = ToLossPrecision(Model.ClassifyFeatures(_sourceFeatures));
        }

        if ((_needs & ForwardNeeds.Target) != 0)
        {
            _targetFeatures = Model.Features(Batch.TargetImages);
            _targetLogits = ToLossPrecision(Model.ClassifyFeatures(_targetFeatures));
        }

        return this;
    }
}
