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
/// Self-training methods add augmented views of the target images (<see cref="AddTargetViews"/>) before the pass runs;
/// the views join the same pass — <c>[x_s; x_t; views…]</c> with joint batch norm, the target pass
/// <c>[x_t; views…]</c> with separate passes — so that batch-norm statistics in training are those the running
/// estimates (and so evaluation) average, as in FixMatch's reference code (one batch of labelled, weak and strong
/// samples). Without views the pass is exactly the one above.
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
    private readonly List<(object Owner, Tensor Views)> _views = [];
    private readonly Dictionary<object, (Tensor Features, Tensor Logits)> _viewOutputs = new(ReferenceEqualityComparer.Instance);

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
    /// Adds augmented views of the target images to the shared pass (before any output is read); read their outputs
    /// with <see cref="TargetViewLogits"/> and <see cref="TargetViewFeatures"/> under the same owner.
    /// </summary>
    /// <param name="owner">The method adding the views (one set of views per owner and step).</param>
    /// <param name="views">Samples shaped like the target half, <c>[V, …]</c>, on the batch's device and in its dtype.</param>
    /// <exception cref="InvalidOperationException">The pass has run, or the owner has added views already.</exception>
    /// <exception cref="ArgumentException">The views' sample shape or dtype differs from the target half's.</exception>
    public void AddTargetViews(object owner, Tensor views)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(views);
        if (_done) throw new InvalidOperationException("Target views must be added before the shared forward pass runs (in LossMethod.AddInputs, not AddAdaptationTerms).");
        if (_views.Exists(v => ReferenceEquals(v.Owner, owner))) throw new InvalidOperationException($"{owner} has added its target views for this step already.");
        Tensor target = Batch.TargetImages;
        if (views.dim() != target.dim() || !views.shape.Skip(1).SequenceEqual(target.shape.Skip(1)) || views.dtype != target.dtype)
        {
            throw new ArgumentException($"Target views must be shaped like the target half [V, {string.Join(", ", target.shape.Skip(1))}] in {target.dtype}, but got [{string.Join(", ", views.shape)}] in {views.dtype}.", nameof(views));
        }

        _views.Add((owner, views));
    }

    /// <summary>Class logits of the owner's target views <c>[V, K]</c> (loss precision).</summary>
    /// <param name="owner">The method that added the views.</param>
    /// <returns>The logits, in the order of the views.</returns>
    public Tensor TargetViewLogits(object owner) => ViewOutputs(owner).Logits;

    /// <summary>Features of the owner's target views <c>[V, F]</c> (model dtype).</summary>
    /// <param name="owner">The method that added the views.</param>
    /// <returns>The features, in the order of the views.</returns>
    public Tensor TargetViewFeatures(object owner) => ViewOutputs(owner).Features;

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
        if (_views.Count > 0)
        {
            RunWithViews();
            return this;
        }

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

    private (Tensor Features, Tensor Logits) ViewOutputs(object owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (!_views.Exists(v => ReferenceEquals(v.Owner, owner))) throw new InvalidOperationException($"{owner} has added no target views for this step (StepForward.AddTargetViews).");
        if (!_done)
        {
            _done = true;
            RunWithViews();
        }

        return _viewOutputs[owner];
    }

    /// <summary>The pass with target views: one batch <c>[x_s?; x_t?; views…]</c> (joint) or a source pass and a target pass <c>[x_t?; views…]</c> (separate).</summary>
    private void RunWithViews()
    {
        bool source = (_needs & ForwardNeeds.Source) != 0;
        bool target = (_needs & ForwardNeeds.Target) != 0;
        var parts = new List<Tensor>();
        if (source && Passes == BatchNormMode.Separate)
        {
            _sourceFeatures = Model.Features(Batch.SourceImages);
            _sourceLogits = ToLossPrecision(Model.ClassifyFeatures(_sourceFeatures));
        }
        else if (source)
        {
            parts.Add(Batch.SourceImages);
        }

        if (target) parts.Add(Batch.TargetImages);
        foreach ((_, Tensor views) in _views) parts.Add(views);
        Tensor features = Model.Features(parts.Count == 1 ? parts[0] : cat(parts, 0));
        Tensor logits = ToLossPrecision(Model.ClassifyFeatures(features));
        long offset = 0;
        (Tensor, Tensor) Take(long n)
        {
            (Tensor, Tensor) slice = (features.narrow(0, offset, n), logits.narrow(0, offset, n));
            offset += n;
            return slice;
        }

        if (Joint)
        {
            _features = features.narrow(0, 0, SourceCount + TargetCount);
            _logits = logits.narrow(0, 0, SourceCount + TargetCount);
        }

        if (source && Passes == BatchNormMode.Joint) (_sourceFeatures, _sourceLogits) = Take(SourceCount);
        if (target) (_targetFeatures, _targetLogits) = Take(TargetCount);
        foreach ((object owner, Tensor views) in _views) _viewOutputs[owner] = Take(views.shape[0]);
    }
}
