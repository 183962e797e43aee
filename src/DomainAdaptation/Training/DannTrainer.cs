using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Models;
using DomainAdaptation.Runtime;
using DomainAdaptation.Schedules;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Training;

/// <summary>
/// The training loop: drives an <see cref="IAdaptationAlgorithm"/> (by default <see cref="DannAlgorithm"/>) step by
/// step with a deterministic domain batch sampler, the λ and learning-rate schedules, periodic evaluation, atomic
/// checkpoints, cancellation between steps, and metrics through <see cref="IProgress{T}"/>, an
/// <see cref="IAsyncEnumerable{T}"/> and an <see cref="ILogger"/>.
/// </summary>
/// <remarks>
/// <para>
/// Step <c>s</c> (zero-based) runs at progress <c>p = s / TotalSteps</c>: λ = λ-schedule(p) is set on the model,
/// every parameter group's learning rate becomes its initial rate × LR-schedule(p), the batch is
/// <see cref="DomainBatchSampler.IndicesAt"/>(s), the global torch generator is re-seeded from (seed, s) for dropout
/// and other in-model randomness, the losses are computed, checked for NaN/∞, back-propagated, and the optimizer steps.
/// Each step runs in its own dispose scope.
/// </para>
/// <para>
/// Because the batch and the in-model randomness of step s depend only on (seed, s), a checkpoint needs only the
/// weights, the optimizer state and the step: <see cref="Resume"/> continues bitwise-identically on the CPU.
/// </para>
/// <para>
/// The trainer moves the model to the options' device and dtype and owns its optimizer; it does not own (dispose) the
/// model or the data. It is not thread-safe.
/// </para>
/// </remarks>
public sealed class DannTrainer : IDisposable
{
    private readonly DannModel _model;
    private readonly IDomainDataset _data;
    private readonly IDomainDataset _evaluationData;
    private readonly DannTrainerOptions _options;
    private readonly ILambdaSchedule _lambdaSchedule;
    private readonly ILogger _logger;
    private readonly DomainBatchSampler _sampler;
    private readonly SampleConverter _converter;
    private readonly BatchAssembler _assembler;
    private readonly OptimizerHelper _optimizer;
    private readonly Parameter[] _parameters;
    private readonly CheckpointStore? _store;
    private readonly WeightAverage? _average;
    private readonly MixedPrecision? _mixed;
    private long _completedSteps;
    private long _lastCheckpointStep = -1;
    private bool _disposed;

    /// <summary>Creates a trainer; validates the options and prepares batching, normalisation and the optimizer.</summary>
    /// <param name="model">The model to train; moved to the options' device and dtype.</param>
    /// <param name="trainingData">Labelled source and unlabelled target samples.</param>
    /// <param name="options">The settings; validated with <see cref="DannTrainerOptionsValidator"/> and copied.</param>
    /// <param name="logger">Where to log; <see cref="NullLogger.Instance"/> when null.</param>
    /// <param name="evaluationData">The data for periodic evaluation (e.g. test splits); <paramref name="trainingData"/> when null.</param>
    /// <param name="algorithm">The per-step computation; <see cref="DannAlgorithm.FromOptions"/> when null.</param>
    /// <exception cref="OptionsValidationException">When an option is invalid.</exception>
    /// <exception cref="ArgumentException">When the data does not suit the options (empty domain, missing target labels for target-only training, normalisation of the wrong channel count, unavailable device).</exception>
    public DannTrainer(
        DannModel model,
        IDomainDataset trainingData,
        DannTrainerOptions options,
        ILogger? logger = null,
        IDomainDataset? evaluationData = null,
        IAdaptationAlgorithm? algorithm = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainingData);
        ArgumentNullException.ThrowIfNull(options);
        DannTrainerOptionsValidator.ThrowIfInvalid(options);
        TorchRuntime.EnsureInitialized();

        _options = options.Clone();
        _lambdaSchedule = _options.LambdaSchedule ?? model.LambdaSchedule ?? LambdaSchedules.Ganin();
        _options.LambdaSchedule = _lambdaSchedule;
        _model = model;
        _data = trainingData;
        _evaluationData = evaluationData ?? trainingData;
        _logger = logger ?? NullLogger.Instance;
        Algorithm = algorithm ?? DannAlgorithm.FromOptions(_options);
        CheckData(trainingData, _options);

        Device = ResolveDevice(_options.Device);
        Normalisation = _options.Normalisation switch
        {
            NormalisationKind.MeanOverBothDomains => ChannelNormalisation.MeanOverBothDomains(trainingData),
            NormalisationKind.MeanStdOverBothDomains => ChannelNormalisation.OverBothDomains(trainingData),
            NormalisationKind.Explicit => new ChannelNormalisation(_options.NormalisationMean!, _options.NormalisationStd!),
            _ => null,
        };
        if (Normalisation is not null && Normalisation.Channels != trainingData.Source.Samples.shape[1])
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"DannTrainerOptions.NormalisationMean/NormalisationStd have {Normalisation.Channels} channels, but the samples of '{trainingData.Name}' have {trainingData.Source.Samples.shape[1]} (dimension 1 of [N, {trainingData.SampleShape}])."), nameof(options));
        }

        StepsPerEpoch = DomainBatchSampler.StepsPerEpochFor(trainingData.Source.Count, trainingData.Target.Count, _options.BatchSizePerDomain);
        TotalSteps = _options.Steps ?? checked(_options.Epochs!.Value * StepsPerEpoch);
        _sampler = new DomainBatchSampler(trainingData.Source.Count, trainingData.Target.Count, _options.BatchSizePerDomain, _options.Seed);
        _converter = new SampleConverter(_options.Dtype, Device, Normalisation);
        _assembler = new BatchAssembler(trainingData, _converter);
        Evaluator = new Evaluator(_converter, _options.EvaluationBatchSize);

        _model.to(_options.Dtype);
        _model.to(Device);
        _parameters = _model.parameters().ToArray();
        if (_options.Precision == TrainingPrecision.BFloat16Mixed)
        {
            _mixed = new MixedPrecision(_model, _options.Dtype, ScalarType.BFloat16);
            _parameters = _mixed.MasterParameters;
            if (MixedPrecision.IsEmulated(Device.type, CpuFeatures.HasNativeBFloat16)) TrainerLog.EmulatedBFloat16(_logger);
        }

        _optimizer = _options.Optimizer == OptimizerKind.Adam
            ? optim.Adam(_parameters, _options.LearningRate, _options.AdamBeta1, _options.AdamBeta2, _options.AdamEpsilon, _options.WeightDecay)
            : optim.SGD(_parameters, _options.LearningRate, _options.Momentum, weight_decay: _options.WeightDecay);
        if (_options.CheckpointDirectory is not null)
        {
            _store = new CheckpointStore(_options.CheckpointDirectory, _options.CheckpointsToKeep);
        }

        if (_options.WeightAverageDecay > 0)
        {
            _average = new WeightAverage(_model, _options.WeightAverageDecay);
        }
    }

    /// <summary>A copy of the options in force (with the effective λ schedule filled in).</summary>
    public DannTrainerOptions Options => _options.Clone();

    /// <summary>The model being trained.</summary>
    public DannModel Model => _model;

    /// <summary>The per-step computation.</summary>
    public IAdaptationAlgorithm Algorithm { get; }

    /// <summary>The training device.</summary>
    public Device Device { get; }

    /// <summary>The input normalisation in force, or null.</summary>
    public ChannelNormalisation? Normalisation { get; }

    /// <summary>The evaluator, with the training input conversion; use it to evaluate other data (e.g. test sets).</summary>
    public Evaluator Evaluator { get; }

    /// <summary>
    /// The running average of the weights when <see cref="DannTrainerOptions.WeightAverageDecay"/> is set (evaluation
    /// uses it; <see cref="WeightAverage.CopyTo"/> puts it into a model), or null. The trainer owns it.
    /// </summary>
    public WeightAverage? WeightAverage => _average;

    /// <summary>
    /// The optimizer the trainer created. With <see cref="TrainingPrecision.BFloat16Mixed"/> its parameters are the
    /// trainer's float32 master weights, not the model's own tensors.
    /// </summary>
    public optim.Optimizer Optimizer => _optimizer;

    /// <summary>Steps per epoch: <c>⌈max(N_source, N_target) / BatchSizePerDomain⌉</c>.</summary>
    public long StepsPerEpoch { get; }

    /// <summary>The planned number of steps (<see cref="DannTrainerOptions.Steps"/>, or epochs × <see cref="StepsPerEpoch"/>).</summary>
    public long TotalSteps { get; }

    /// <summary>Steps completed so far (after <see cref="Resume"/>, counting the resumed ones).</summary>
    public long CompletedSteps => _completedSteps;

    /// <summary>The last checkpoint written or resumed from, or null.</summary>
    public CheckpointInfo? LastCheckpoint { get; private set; }

    /// <summary>
    /// Trains until <see cref="TotalSteps"/>, evaluates after the last step, and returns the result.
    /// </summary>
    /// <param name="steps">Receives every step's metrics.</param>
    /// <param name="evaluations">Receives every evaluation's metrics.</param>
    /// <param name="cancellationToken">Honoured between steps (and between evaluation batches).</param>
    /// <returns>The result.</returns>
    /// <exception cref="TrainingCancelledException">When cancelled; the model holds the state after whole steps, saved when <see cref="DannTrainerOptions.CheckpointOnCancel"/> is set.</exception>
    /// <exception cref="TrainingDivergedException">When a loss becomes NaN or infinite.</exception>
    public TrainingResult Train(IProgress<StepMetrics>? steps = null, IProgress<EvaluationMetrics>? evaluations = null, CancellationToken cancellationToken = default)
    {
        TrainingResult? result = null;
        foreach (TrainingEvent e in Run(cancellationToken))
        {
            switch (e)
            {
                case StepMetrics m:
                    steps?.Report(m);
                    break;
                case EvaluationCompleted ev:
                    evaluations?.Report(ev.Metrics);
                    break;
                case TrainingCompleted done:
                    result = done.Result;
                    break;
            }
        }

        return result!;
    }

    /// <summary>
    /// Trains until <see cref="TotalSteps"/>, streaming every event: <see cref="StepMetrics"/> after each step,
    /// <see cref="EvaluationCompleted"/>, <see cref="CheckpointSaved"/>, <see cref="TrainingCollapseDetected"/> (at most once),
    /// and finally <see cref="TrainingCompleted"/>. The work runs on the enumerating thread (and the thread pool between events); stop enumerating to pause.
    /// </summary>
    /// <param name="cancellationToken">Honoured between steps.</param>
    /// <returns>The events.</returns>
    /// <exception cref="TrainingCancelledException">When cancelled (see <see cref="Train"/>).</exception>
    /// <exception cref="TrainingDivergedException">When a loss becomes NaN or infinite.</exception>
    public async IAsyncEnumerable<TrainingEvent> TrainAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (TrainingEvent e in Run(cancellationToken))
        {
            yield return e;
            await Task.Yield();
        }
    }

    /// <summary>
    /// Evaluates the model now on the evaluation data (at most <see cref="DannTrainerOptions.EvaluationMaxSamples"/> per
    /// domain), with the averaged weights when <see cref="WeightAverage"/> is kept (the model's trained weights are put
    /// back afterwards).
    /// </summary>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>The metrics, stamped with <see cref="CompletedSteps"/>.</returns>
    public EvaluationMetrics Evaluate(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EvaluationMetrics metrics;
        using (_mixed?.MasterWeights())
        using (_average?.Apply())
        {
            metrics = Evaluator.Evaluate(_model, _evaluationData, _completedSteps, _options.EvaluationMaxSamples, cancellationToken);
        }

        TrainerLog.Evaluated(_logger, metrics.Step, metrics.SourceAccuracy ?? double.NaN, metrics.TargetAccuracy ?? double.NaN, metrics.DomainClassifierAccuracy, metrics.TargetPredictionEntropy, metrics.Elapsed.TotalMilliseconds);
        return metrics;
    }

    /// <summary>Writes a checkpoint of the current state to <see cref="DannTrainerOptions.CheckpointDirectory"/> (atomically).</summary>
    /// <returns>What was written.</returns>
    /// <exception cref="InvalidOperationException">When no checkpoint folder is configured.</exception>
    /// <exception cref="TrainingDivergedException">When a parameter holds NaN or ∞ (nothing is written).</exception>
    public CheckpointInfo SaveCheckpoint()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_store is null)
        {
            throw new InvalidOperationException("DannTrainerOptions.CheckpointDirectory is not set, so there is nowhere to write a checkpoint.");
        }

        using IDisposable? masterWeights = _mixed?.MasterWeights();
        EnsureParametersFinite();
        using var scope = NewDisposeScope();
        var metadata = new CheckpointFormat.Metadata(
            CheckpointFormat.Version,
            _completedSteps,
            TotalSteps,
            _options.Seed,
            _options.Mode,
            _options.Optimizer,
            Algorithm.Name,
            DateTimeOffset.UtcNow,
            typeof(DannTrainer).Assembly.GetName().Version?.ToString() ?? "unknown",
            Normalisation?.Mean.ToArray(),
            Normalisation?.Std.ToArray(),
            OptionsJson.ToJson(_options),
            _average?.Updates);
        string path = _store.Save(
            _completedSteps,
            stream => CheckpointFormat.Write(
                stream,
                metadata,
                _model.state_dict().Select(kv => (kv.Key, kv.Value)),
                OptimizerStateSerializer.Export(_optimizer),
                _average?.Entries ?? []));
        _lastCheckpointStep = _completedSteps;
        LastCheckpoint = Checkpoint.ToInfo(path, metadata);
        TrainerLog.CheckpointWritten(_logger, _completedSteps, path);
        return LastCheckpoint;
    }

    /// <summary>
    /// Restores the model, the optimizer state and the step count from a checkpoint written by a trainer with the same
    /// trajectory-relevant options; the next <see cref="Train"/> continues from there. On the CPU the continued run is
    /// bitwise identical to an uninterrupted one.
    /// </summary>
    /// <param name="path">A checkpoint file, or a folder (its newest intact checkpoint is used).</param>
    /// <returns>The checkpoint's metadata.</returns>
    /// <exception cref="CheckpointException">When the file is damaged, or does not match the model, the total step count or the options (the message lists each difference).</exception>
    public CheckpointInfo Resume(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string file = Checkpoint.Resolve(path);
        using CheckpointFormat.Contents contents = CheckpointFormat.Read(file);
        CheckpointFormat.Metadata saved = contents.Metadata;
        if (saved.TotalSteps != TotalSteps)
        {
            throw new CheckpointException(file, string.Create(CultureInfo.InvariantCulture, $"it belongs to a run of {saved.TotalSteps} steps, but this trainer plans {TotalSteps} (DannTrainerOptions.Steps or Epochs); the schedules' progress p = step / total would jump."));
        }

        if (saved.Step < 0 || saved.Step > TotalSteps)
        {
            throw new CheckpointException(file, string.Create(CultureInfo.InvariantCulture, $"its step {saved.Step} lies outside [0, {TotalSteps}]."));
        }

        IReadOnlyList<string> differences = OptionsJson.Differences(OptionsJson.WithLaterDefaults(saved.Options), OptionsJson.ToJson(_options));
        if (differences.Count > 0)
        {
            throw new CheckpointException(file, "it was written with different training options, so resuming would not continue the same run: " + string.Join("; ", differences) + ".");
        }

        if (_average is not null && saved.WeightAverageUpdates is null)
        {
            throw new CheckpointException(file, "this trainer keeps a weight average (DannTrainerOptions.WeightAverageDecay), but the checkpoint holds none.");
        }

        Checkpoint.LoadState(_model, contents.Model, file);
        OptimizerStateSerializer.Import(_optimizer, _parameters, contents.Optimizer, file);
        _average?.Load(contents.Average, saved.WeightAverageUpdates!.Value, file);
        _completedSteps = saved.Step;
        _lastCheckpointStep = saved.Step;
        LastCheckpoint = Checkpoint.ToInfo(file, saved);
        TrainerLog.Resumed(_logger, file, saved.Step, TotalSteps);
        return LastCheckpoint;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _optimizer.Dispose();
        _converter.Dispose();
        _average?.Dispose();
        _mixed?.Dispose();
    }

    private IEnumerable<TrainingEvent> Run(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var clock = Stopwatch.StartNew();
        long firstStep = _completedSteps;
        CollapseMonitor? monitor = _options.CollapseWindow > 0 && _data.ClassCount >= 2 ? new CollapseMonitor(_data.ClassCount, _options.CollapseWindow) : null;
        TrainingCollapseDetected? collapse = null;
        TrainerLog.Started(_logger, Algorithm.Name, _data.Name, firstStep + 1, TotalSteps, _options.BatchSizePerDomain, _options.BatchSizePerDomain, _options.Optimizer, _options.LearningRate, _options.Precision == TrainingPrecision.Full ? _options.Dtype.ToString() : $"{_options.Precision} ({_options.Dtype} master weights)", Device.ToString(), _options.Seed);
        try
        {
            // Mixed precision: the model holds bfloat16 between here and the finally block, float32 everywhere else.
            _mixed?.EnterCompute();
            while (_completedSteps < TotalSteps)
            {
                if (cancellationToken.IsCancellationRequested) throw Cancel(cancellationToken);
                StepMetrics stepMetrics = RunStep();
                yield return stepMetrics;
                if (monitor?.Observe(_completedSteps, stepMetrics.LabelLoss) is double windowMean)
                {
                    collapse = new TrainingCollapseDetected(_completedSteps, windowMean, monitor.ChanceLoss, monitor.BestWindowMean, monitor.BestWindowEndStep, LastCheckpoint);
                    TrainerLog.Collapsed(_logger, _completedSteps - _options.CollapseWindow + 1, _completedSteps, windowMean, monitor.ChanceLoss, monitor.BestWindowMean, monitor.BestWindowEndStep, LastCheckpoint?.Path ?? "none written");
                    yield return collapse;
                }

                bool last = _completedSteps == TotalSteps;
                if (!last && _options.EvaluationInterval > 0 && _completedSteps % _options.EvaluationInterval == 0)
                {
                    yield return new EvaluationCompleted(EvaluateInLoop(cancellationToken));
                }

                if (!last && _store is not null && _options.CheckpointInterval > 0 && _completedSteps % _options.CheckpointInterval == 0)
                {
                    yield return new CheckpointSaved(SaveCheckpoint());
                }
            }
        }
        finally
        {
            _mixed?.LeaveCompute();
        }

        EvaluationMetrics final = EvaluateInLoop(cancellationToken);
        yield return new EvaluationCompleted(final);
        if (_store is not null && _lastCheckpointStep != _completedSteps)
        {
            yield return new CheckpointSaved(SaveCheckpoint());
        }

        TrainerLog.Finished(_logger, _completedSteps - firstStep, clock.Elapsed.TotalSeconds);
        yield return new TrainingCompleted(new TrainingResult(_completedSteps, _completedSteps - firstStep, final, LastCheckpoint, clock.Elapsed, collapse));
    }

    private StepMetrics RunStep()
    {
        var clock = Stopwatch.StartNew();
        long step = _completedSteps;
        double progress = Schedules.Progress.Of(step, TotalSteps);
        double lambda = _options.Mode == TrainingMode.Dann ? _lambdaSchedule.ValueAt(progress) : 0.0;
        double factor = _options.LearningRateSchedule.FactorAt(progress);
        // lr_g = base_g × factor(p); each group's base is its InitialLearningRate, which setting LearningRate leaves alone.
        foreach (optim.ILearningRateController controller in _optimizer.ParamGroups)
        {
            controller.LearningRate = controller.InitialLearningRate * factor;
        }

        double learningRate = _optimizer.ParamGroups.First().LearningRate;
        double labelLoss;
        double? domainLoss;
        double totalLoss;
        double? sourceAccuracy;
        double? targetAccuracy;
        double? domainAccuracy;
        using (var scope = NewDisposeScope())
        {
            random.manual_seed(StepSeed(_options.Seed, step));
            _model.train();
            _model.Lambda = lambda;
            DomainBatch batch = _assembler.Assemble(_sampler.IndicesAt(step), includeTargetLabels: _options.Mode == TrainingMode.TargetOnly);
            if (_mixed is not null)
            {
                // The masters' gradients need no zeroing: CopyGradientsToMaster overwrites every one of them.
                batch = _mixed.ToCompute(batch);
                _mixed.ZeroComputeGradients();
            }
            else
            {
                _optimizer.zero_grad();
            }

            AdaptationLosses losses = Algorithm.ComputeLosses(_model, batch, lambda);
            labelLoss = losses.LabelLoss.ToDouble();
            domainLoss = losses.DomainLoss?.ToDouble();
            totalLoss = losses.Total.ToDouble();
            if (!double.IsFinite(labelLoss) || !double.IsFinite(totalLoss) || (domainLoss is double d && !double.IsFinite(d)))
            {
                string checkpoint = LastCheckpoint is null
                    ? "No checkpoint has been written."
                    : string.Create(CultureInfo.InvariantCulture, $"The last good checkpoint is '{LastCheckpoint.Path}' (step {LastCheckpoint.Step}).");
                string message = string.Create(
                    CultureInfo.InvariantCulture,
                    $"Training diverged at step {step + 1} of {TotalSteps} (p = {progress:F4}, λ = {lambda:G6}, learning rate = {learningRate:G6}): label loss = {labelLoss}, domain loss = {(domainLoss is null ? "n/a" : domainLoss.Value.ToString(CultureInfo.InvariantCulture))}, total loss = {totalLoss}. The parameters were not updated by this step. {checkpoint} Lower DannTrainerOptions.LearningRate, or check the inputs for NaN or infinite values.");
                TrainerLog.Diverged(_logger, message);
                throw new TrainingDivergedException(message, step + 1, labelLoss, domainLoss, totalLoss, LastCheckpoint);
            }

            losses.Total.backward();
            _mixed?.CopyGradientsToMaster();
            _optimizer.step();
            _mixed?.CopyMasterToCompute();
            _average?.Update(_mixed?.MastersByName);
            sourceAccuracy = losses.SourceAccuracy?.ToDouble();
            targetAccuracy = losses.TargetAccuracy?.ToDouble();
            domainAccuracy = losses.DomainAccuracy?.ToDouble();
        }

        _completedSteps = step + 1;
        if (_options.GarbageCollectionInterval > 0 && _completedSteps % _options.GarbageCollectionInterval == 0)
        {
            // Keeps the managed heap (and with it the resident memory) flat; see DannTrainerOptions.GarbageCollectionInterval.
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        }

        var metrics = new StepMetrics(_completedSteps, TotalSteps, progress, labelLoss, domainLoss, totalLoss, sourceAccuracy, targetAccuracy, domainAccuracy, lambda, learningRate, clock.Elapsed);
        if (_options.LogInterval > 0 && (_completedSteps % _options.LogInterval == 0 || _completedSteps == TotalSteps))
        {
            TrainerLog.Step(_logger, _completedSteps, TotalSteps, labelLoss, domainLoss ?? double.NaN, sourceAccuracy ?? targetAccuracy ?? double.NaN, domainAccuracy ?? double.NaN, lambda, learningRate, metrics.StepTime.TotalMilliseconds);
        }

        return metrics;
    }

    private EvaluationMetrics EvaluateInLoop(CancellationToken cancellationToken)
    {
        try
        {
            return Evaluate(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw Cancel(cancellationToken);
        }
    }

    private TrainingCancelledException Cancel(CancellationToken cancellationToken)
    {
        if (_store is not null && _options.CheckpointOnCancel && _lastCheckpointStep != _completedSteps)
        {
            SaveCheckpoint();
        }

        TrainerLog.Cancelled(_logger, _completedSteps, LastCheckpoint?.Path ?? "none");
        string where = LastCheckpoint is null
            ? "No checkpoint was written."
            : string.Create(CultureInfo.InvariantCulture, $"Resume from '{LastCheckpoint.Path}' (step {LastCheckpoint.Step}).");
        return new TrainingCancelledException(
            string.Create(CultureInfo.InvariantCulture, $"Training was cancelled after {_completedSteps} of {TotalSteps} steps. {where}"),
            _completedSteps,
            LastCheckpoint,
            cancellationToken);
    }

    private void EnsureParametersFinite()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach ((string name, Parameter parameter) in _model.named_parameters())
        {
            if (!parameter.isfinite().all().ToBoolean())
            {
                string message = string.Create(CultureInfo.InvariantCulture, $"After step {_completedSteps} of {TotalSteps} the parameter '{name}' holds NaN or infinite values; no checkpoint was written, so the last one stays usable. Lower DannTrainerOptions.LearningRate.");
                TrainerLog.Diverged(_logger, message);
                throw new TrainingDivergedException(message, _completedSteps, double.NaN, null, double.NaN, LastCheckpoint);
            }
        }
    }

    /// <summary>The seed of the torch generator for step <paramref name="step"/>: a function of (seed, step) only.</summary>
    internal static long StepSeed(long seed, long step) => (long)(DeterministicRandom.Mix(seed, 2, step) >> 1);

    private static Device ResolveDevice(string name)
    {
        if (name.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
        {
            throw new ArgumentException($"DannTrainerOptions.Device is \"{name}\", but CUDA is not available here (no CUDA build of libtorch, or no GPU). Use \"cpu\" or reference a CUDA backend package.", "options");
        }

        try
        {
            return torch.device(name);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or ExternalException)
        {
            throw new ArgumentException($"DannTrainerOptions.Device \"{name}\" cannot be used here: {ex.Message}", "options", ex);
        }
    }

    private static void CheckData(IDomainDataset data, DannTrainerOptions options)
    {
        if (data.Source.Count == 0 || data.Target.Count == 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{data.Name}' needs samples in both domains, but the source has {data.Source.Count} and the target {data.Target.Count}."), nameof(data));
        }

        if (options.Mode == TrainingMode.TargetOnly && data.TargetLabelsForEvaluation is null)
        {
            throw new ArgumentException($"DannTrainerOptions.Mode = TargetOnly trains on target labels, but '{data.Name}' has none (IDomainDataset.TargetLabelsForEvaluation is null).", nameof(data));
        }
    }
}
