using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using DomainAdaptation.Data;
using DomainAdaptation.Data.Augmentation;
using DomainAdaptation.Data.Batching;
using DomainAdaptation.Evaluation;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using DomainAdaptation.Runtime;
using DomainAdaptation.Training.Checkpoints;
using DomainAdaptation.Training.Optimization;
using DomainAdaptation.Training.Precision;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DomainAdaptation.Training;

/// <summary>
/// The training loop, the same for every method: drives an <see cref="AdaptationMethod"/> step by step with a
/// deterministic domain batch sampler and the learning-rate schedule, with periodic evaluation, atomic checkpoints,
/// cancellation between steps, and metrics through <see cref="IProgress{T}"/>, an <see cref="IAsyncEnumerable{T}"/>
/// and an <see cref="ILogger"/>.
/// </summary>
/// <remarks>
/// <para>
/// Step <c>s</c> (zero-based) runs at progress <c>p = s / TotalSteps</c>: every parameter group's learning rate becomes
/// its initial rate × LR-schedule(p), the batch is <see cref="DomainBatchSampler.IndicesAt"/>(s), the global torch
/// generator is re-seeded from (seed, s) for dropout and other in-model randomness, and the method runs its update —
/// for a loss method, one shared forward pass, its weighted loss terms checked for NaN/∞, one backward pass and one
/// optimizer step — then its after-step hook. Each step runs in its own dispose scope.
/// </para>
/// <para>
/// The method's modules (a domain classifier, a second head, a teacher) are moved with the model to the options'
/// device and dtype, trained by the optimizers at their learning-rate multipliers, put in evaluation mode with the
/// model, and saved in checkpoints. Because the batch and the in-model randomness of step s depend only on (seed, s), a
/// checkpoint needs only the weights, the optimizer states and the step: <see cref="Resume"/> continues
/// bitwise-identically on the CPU, and refuses a checkpoint of another method or of other method settings.
/// </para>
/// <para>
/// Evaluation runs the classifier path only (feature extractor → bottleneck → label classifier) of the model, or of
/// the method's <see cref="AdaptationMethod.InferenceModel"/> (a mean teacher), and reports the domain classifier's
/// accuracy when the method has one (<see cref="IDomainDiscriminator"/>).
/// </para>
/// <para>
/// The trainer does not own (dispose) the model, the method or the data. It is not thread-safe.
/// </para>
/// </remarks>
public sealed class AdaptationTrainer : IDisposable
{
    private readonly AdaptationModel _model;
    private readonly AdaptationMethod _method;
    private readonly TrainingModules _modules;
    private readonly IDomainDataset _data;
    private readonly IDomainDataset _evaluationData;
    private readonly AdaptationTrainerOptions _options;
    private readonly ILogger _logger;
    private readonly DomainBatchSampler _sampler;
    private readonly SampleConverter _converter;
    private readonly BatchAssembler _assembler;
    private readonly IReadOnlyList<OptimizerFactory.NamedOptimizer> _optimizers;
    private readonly CheckpointStore? _store;
    private readonly WeightAverage? _average;
    private readonly MixedPrecision? _mixed;
    private readonly IDomainDiscriminator? _discriminator;
    private long _completedSteps;
    private long _lastCheckpointStep = -1;
    private readonly Stopwatch _sinceCheckpoint = Stopwatch.StartNew();
    private bool _disposed;

    /// <summary>Creates a trainer; validates the options, prepares the method, batching, normalisation and the optimizers.</summary>
    /// <param name="model">The model to train; moved to the options' device and dtype.</param>
    /// <param name="trainingData">Labelled source and unlabelled target samples.</param>
    /// <param name="method">The adaptation method, not yet used by another trainer; it is initialised here (its modules created).</param>
    /// <param name="options">The settings; validated with <see cref="AdaptationTrainerOptionsValidator"/> and copied.</param>
    /// <param name="logger">Where to log; <see cref="NullLogger.Instance"/> when null.</param>
    /// <param name="evaluationData">The data for periodic evaluation (e.g. test splits); <paramref name="trainingData"/> when null.</param>
    /// <exception cref="OptionsValidationException">When an option is invalid.</exception>
    /// <exception cref="ArgumentException">When the data does not suit the options or the method (empty domain, no target labels for target-only training, normalisation of the wrong channel count, unavailable device, mixed precision with a method it cannot serve).</exception>
    /// <exception cref="ModelCompositionException">When a module of the method does not fit the model.</exception>
    public AdaptationTrainer(
        AdaptationModel model,
        IDomainDataset trainingData,
        AdaptationMethod method,
        AdaptationTrainerOptions options,
        ILogger? logger = null,
        IDomainDataset? evaluationData = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(trainingData);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(options);
        AdaptationTrainerOptionsValidator.ThrowIfInvalid(options);
        TorchRuntime.EnsureInitialized();
        if (method.IsInitialized)
        {
            throw new ArgumentException($"The method '{method.Name}' was already initialised by another trainer; its modules belong to that run. Create a new method instance.", nameof(method));
        }

        _options = options.Clone();
        _model = model;
        _method = method;
        _data = trainingData;
        _evaluationData = evaluationData ?? trainingData;
        _logger = logger ?? NullLogger.Instance;
        CheckData(trainingData, method);

        Device = ResolveDevice(_options.Device);
        ScalarType dtype = _options.Precision.Dtype;
        Normalisation = _options.Input.Normalisation switch
        {
            NormalisationKind.MeanOverBothDomains => ChannelNormalisation.MeanOverBothDomains(trainingData),
            NormalisationKind.MeanStdOverBothDomains => ChannelNormalisation.OverBothDomains(trainingData),
            NormalisationKind.Explicit => new ChannelNormalisation(_options.Input.Mean!, _options.Input.Std!),
            NormalisationKind.ImageNet => ChannelNormalisation.ImageNet,
            _ => null,
        };
        if (Normalisation is not null && Normalisation.Channels != trainingData.Source.Shape.Dimensions[0])
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"AdaptationTrainerOptions.Input.Mean/Std have {Normalisation.Channels} channels, but the samples of '{trainingData.Name}' have {trainingData.Source.Shape.Dimensions[0]} (dimension 1 of [N, {trainingData.SampleShape}])."), nameof(options));
        }

        StepsPerEpoch = DomainBatchSampler.StepsPerEpochFor(trainingData.Source.Count, trainingData.Target.Count, _options.BatchSizePerDomain);
        TotalSteps = _options.Steps ?? checked(_options.Epochs!.Value * StepsPerEpoch);
        _sampler = new DomainBatchSampler(trainingData.Source.Count, trainingData.Target.Count, _options.BatchSizePerDomain, _options.Seed);
        _converter = new SampleConverter(dtype, Device, Normalisation);
        _assembler = new BatchAssembler(trainingData, _converter, _options.Input.PrefetchSteps);
        Evaluator = new Evaluator(_converter, _options.Evaluation.BatchSize);

        _model.to(dtype);
        _model.to(Device);
        ModelShape shape = ModelInspector.Inspect(_model, trainingData.SampleShape, device: Device, dtype: dtype);
        _method.Initialize(new MethodSetup(_model, trainingData.SampleShape, shape.Features, trainingData.ClassCount, Device, dtype, MethodSeed(_options.Seed)));
        _modules = new TrainingModules(_model, _method.Modules);
        _modules.to(dtype);
        _modules.to(Device);
        foreach (MethodModule module in _method.Modules.Where(m => !m.Trainable))
        {
            foreach (Parameter p in module.Module.parameters()) p.requires_grad = false;
        }

        _discriminator = _method is IDomainDiscriminator d && d.HasDomainClassifier ? d : null;

        List<(string Name, Parameter Parameter)> parameters = [.. _modules.named_parameters()];
        if (_options.Precision.Mode == TrainingPrecision.BFloat16Mixed)
        {
            if (_method.OptimizerGroups.Count != 1 || _method.Modules.Any(m => !m.Trainable))
            {
                throw new ArgumentException($"TrainingPrecision.BFloat16Mixed serves loss methods with one optimizer whose modules are all trained; '{_method.Name}' has {(_method.OptimizerGroups.Count != 1 ? $"{_method.OptimizerGroups.Count} optimizers" : "a module no optimizer trains (an EMA teacher)")}. Use TrainingPrecision.Full.", nameof(options));
            }

            _mixed = new MixedPrecision(_modules, dtype, ScalarType.BFloat16);
            parameters = [.. parameters.Select((p, i) => (p.Name, _mixed.MasterParameters[i]))];
            if (MixedPrecision.IsEmulated(Device.type, CpuFeatures.HasNativeBFloat16)) TrainerLog.EmulatedBFloat16(_logger);
        }

        _optimizers = OptimizerFactory.Create(_options.Optimizer, _model, _method, parameters);
        if (_options.Checkpoints.Directory is not null)
        {
            _store = new CheckpointStore(_options.Checkpoints.Directory, _options.Checkpoints.ToKeep);
        }

        if (_options.WeightAverageDecay > 0)
        {
            _average = new WeightAverage(_modules, _options.WeightAverageDecay);
        }
    }

    /// <summary>A copy of the options in force.</summary>
    public AdaptationTrainerOptions Options => _options.Clone();

    /// <summary>The model being trained.</summary>
    public AdaptationModel Model => _model;

    /// <summary>The method.</summary>
    public AdaptationMethod Method => _method;

    /// <summary>The model evaluation uses: the method's <see cref="AdaptationMethod.InferenceModel"/>, or the trained model.</summary>
    public AdaptationModel InferenceModel => _method.InferenceModel ?? _model;

    /// <summary>The training device.</summary>
    public Device Device { get; }

    /// <summary>The input normalisation in force, or null.</summary>
    public ChannelNormalisation? Normalisation { get; }

    /// <summary>The evaluator, with the training input conversion; use it to evaluate other data (e.g. test sets).</summary>
    public Evaluator Evaluator { get; }

    /// <summary>
    /// The running average of the weights when <see cref="AdaptationTrainerOptions.WeightAverageDecay"/> is set (evaluation
    /// uses it; <see cref="CopyAverageTo"/> puts it into a model), or null. The trainer owns it.
    /// </summary>
    public WeightAverage? WeightAverage => _average;

    /// <summary>
    /// The optimizers the trainer created, by name (one, "main", for a loss method). Under
    /// <see cref="TrainingPrecision.BFloat16Mixed"/> their parameters are the trainer's float32 master weights.
    /// </summary>
    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers => _optimizers.ToDictionary(o => o.Name, o => (optim.Optimizer)o.Optimizer, StringComparer.Ordinal);

    /// <summary>Steps per epoch: <c>⌈max(N_source, N_target) / BatchSizePerDomain⌉</c>.</summary>
    public long StepsPerEpoch { get; }

    /// <summary>The planned number of steps (<see cref="AdaptationTrainerOptions.Steps"/>, or epochs × <see cref="StepsPerEpoch"/>).</summary>
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
    /// <exception cref="TrainingCancelledException">When cancelled; the model holds the state after whole steps, saved when <see cref="CheckpointOptions.OnCancel"/> is set.</exception>
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
    /// Evaluates the inference model now on the evaluation data (at most <see cref="EvaluationOptions.MaxSamples"/> per
    /// domain), with the averaged weights when <see cref="WeightAverage"/> is kept (the trained weights are put back
    /// afterwards).
    /// </summary>
    /// <param name="cancellationToken">Checked between batches.</param>
    /// <returns>The metrics, stamped with <see cref="CompletedSteps"/>.</returns>
    public EvaluationMetrics Evaluate(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EvaluationMetrics metrics;
        using (_mixed?.MasterWeights())
        using (_average?.Apply())
        using (EvaluationMode())
        {
            metrics = Evaluator.Evaluate(InferenceModel, _evaluationData, _completedSteps, _options.Evaluation.MaxSamples, cancellationToken, _discriminator);
        }

        TrainerLog.Evaluated(_logger, metrics.Step, metrics.SourceAccuracy ?? double.NaN, metrics.TargetAccuracy ?? double.NaN, metrics.DomainClassifierAccuracy ?? double.NaN, metrics.TargetPredictionEntropy, metrics.Elapsed.TotalMilliseconds);
        return metrics;
    }

    /// <summary>
    /// Puts the model and every method module in evaluation mode (dropout off, batch norm on running statistics) until
    /// the handle is disposed, which restores each module's mode. Use it around your own evaluation of
    /// <see cref="InferenceModel"/> with a discriminator of the method.
    /// </summary>
    /// <returns>The handle.</returns>
    public IDisposable EvaluationMode()
    {
        var modes = new List<(nn.Module Module, bool Training)> { (_modules, _modules.training) };
        modes.AddRange(_modules.named_modules().Select(m => (m.module, m.module.training)));
        _modules.eval();
        return new Restore(() =>
        {
            foreach ((nn.Module module, bool training) in modes) module.train(training);
        });
    }

    /// <summary>Copies the weight average of the model (of the inference model for a method that names one) into <paramref name="model"/>.</summary>
    /// <param name="model">A model of the trained architecture.</param>
    /// <exception cref="InvalidOperationException">When the trainer keeps no weight average.</exception>
    public void CopyAverageTo(AdaptationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        WeightAverage average = _average ?? throw new InvalidOperationException("This trainer keeps no weight average (AdaptationTrainerOptions.WeightAverageDecay = 0).");
        average.CopyTo(model, _method.InferenceModule is { } module ? Checkpoint.MethodPrefix + module + "." : Checkpoint.ModelPrefix);
    }

    /// <summary>Writes a checkpoint of the current state to <see cref="CheckpointOptions.Directory"/> (atomically).</summary>
    /// <returns>What was written.</returns>
    /// <exception cref="InvalidOperationException">When no checkpoint folder is configured.</exception>
    /// <exception cref="TrainingDivergedException">When a parameter holds NaN or ∞ (nothing is written).</exception>
    public CheckpointInfo SaveCheckpoint()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_store is null)
        {
            throw new InvalidOperationException("AdaptationTrainerOptions.Checkpoints.Directory is not set, so there is nowhere to write a checkpoint.");
        }

        using IDisposable? masterWeights = _mixed?.MasterWeights();
        EnsureParametersFinite();
        using var scope = NewDisposeScope();
        var metadata = new CheckpointFormat.Metadata(
            CheckpointFormat.Version,
            _completedSteps,
            TotalSteps,
            _options.Seed,
            _method.Name,
            _method.Settings,
            _method.InferenceModule,
            _options.Optimizer.Kind,
            DateTimeOffset.UtcNow,
            typeof(AdaptationTrainer).Assembly.GetName().Version?.ToString() ?? "unknown",
            Normalisation?.Mean.ToArray(),
            Normalisation?.Std.ToArray(),
            OptionsJson.ToJson(_options),
            _average?.Updates);
        string path = _store.Save(
            _completedSteps,
            stream => CheckpointFormat.Write(
                stream,
                metadata,
                _modules.state_dict().Select(kv => (kv.Key, kv.Value)),
                _optimizers.SelectMany(o => OptimizerStateSerializer.Export(o.Optimizer).Select(e => (o.Name + "." + e.Key, e.Value))),
                _average?.Entries ?? []));
        _lastCheckpointStep = _completedSteps;
        _sinceCheckpoint.Restart();
        LastCheckpoint = Checkpoint.ToInfo(path, metadata);
        TrainerLog.CheckpointWritten(_logger, _completedSteps, path);
        return LastCheckpoint;
    }

    /// <summary>
    /// Continues from the newest intact checkpoint in <paramref name="directory"/> when it holds one (<see cref="Resume"/>;
    /// each newer, damaged checkpoint skipped is logged as a warning and listed in the result), or starts from step 0
    /// when it holds none. A folder with checkpoint files none of which is intact is an error, never a silent restart
    /// that would overwrite them.
    /// </summary>
    /// <param name="directory">The run's checkpoint folder (usually <see cref="CheckpointOptions.Directory"/>).</param>
    /// <returns>Whether training resumed, from which checkpoint, and what was skipped.</returns>
    /// <exception cref="CheckpointException">When the folder holds checkpoints but none is intact, or the newest intact one does not match this trainer.</exception>
    public ResumeDecision ResumeOrStart(string directory)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        CheckpointScan scan = Checkpoint.Scan(directory);
        if (scan.NoneIntact)
        {
            DamagedCheckpoint newest = scan.Skipped[0];
            throw new CheckpointException(directory, $"the folder holds {scan.Count} checkpoint file(s) and none is intact (newest: {Path.GetFileName(newest.Path)}, {newest.Reason}); starting again would overwrite them. Move them away to start from step 0.");
        }

        if (scan.Latest is null)
        {
            TrainerLog.StartingFresh(_logger, directory);
            return new ResumeDecision(ResumeOutcome.Started, null, []);
        }

        return new ResumeDecision(ResumeOutcome.Resumed, Resume(directory), scan.Skipped);
    }

    /// <summary>
    /// Restores the model, the method's modules, the optimizer states and the step count from a checkpoint written by a
    /// trainer with the same method, method settings and trajectory-relevant options; the next <see cref="Train"/>
    /// continues from there. On the CPU the continued run is bitwise identical to an uninterrupted one.
    /// </summary>
    /// <param name="path">A checkpoint file, or a folder (its newest intact checkpoint is used).</param>
    /// <returns>The checkpoint's metadata.</returns>
    /// <exception cref="CheckpointException">When the file is damaged, or does not match the method (name or settings), the model, the total step count or the options (the message lists each difference).</exception>
    public CheckpointInfo Resume(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (System.IO.Directory.Exists(path))
        {
            foreach (DamagedCheckpoint d in Checkpoint.Scan(path).Skipped) TrainerLog.SkippedDamagedCheckpoint(_logger, d.Path, d.Step, d.Reason);
        }

        string file = Checkpoint.Resolve(path);
        using CheckpointFormat.Contents contents = CheckpointFormat.Read(file);
        CheckpointFormat.Metadata saved = contents.Metadata;
        if (saved.Method != _method.Name)
        {
            throw new CheckpointException(file, $"it was written by the method '{saved.Method}' ({saved.MethodSettings.ToJsonString()}), but this trainer runs '{_method.Name}' ({_method.Settings.ToJsonString()}); resume it with the method that wrote it.");
        }

        IReadOnlyList<string> settings = OptionsJson.SettingDifferences(saved.MethodSettings, _method.Settings);
        if (settings.Count > 0)
        {
            throw new CheckpointException(file, $"it was written by '{saved.Method}' with other settings, so resuming would not continue the same run: " + string.Join("; ", settings) + ".");
        }

        if (saved.TotalSteps != TotalSteps)
        {
            throw new CheckpointException(file, string.Create(CultureInfo.InvariantCulture, $"it belongs to a run of {saved.TotalSteps} steps, but this trainer plans {TotalSteps} (AdaptationTrainerOptions.Steps or Epochs); the schedules' progress p = step / total would jump."));
        }

        if (saved.Step < 0 || saved.Step > TotalSteps)
        {
            throw new CheckpointException(file, string.Create(CultureInfo.InvariantCulture, $"its step {saved.Step} lies outside [0, {TotalSteps}]."));
        }

        IReadOnlyList<string> differences = OptionsJson.Differences(saved.Options, OptionsJson.ToJson(_options));
        if (differences.Count > 0)
        {
            throw new CheckpointException(file, "it was written with different training options, so resuming would not continue the same run: " + string.Join("; ", differences) + ".");
        }

        if (_average is not null && saved.WeightAverageUpdates is null)
        {
            throw new CheckpointException(file, "this trainer keeps a weight average (AdaptationTrainerOptions.WeightAverageDecay), but the checkpoint holds none.");
        }

        Checkpoint.LoadState(_modules, contents.Modules, file);
        foreach (OptimizerFactory.NamedOptimizer o in _optimizers)
        {
            OptimizerStateSerializer.Import(o.Optimizer, o.Parameters, Checkpoint.Under(contents.Optimizer, o.Name + "."), file);
        }

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
        foreach (OptimizerFactory.NamedOptimizer o in _optimizers) o.Optimizer.Dispose();
        _assembler.Dispose();
        _converter.Dispose();
        _average?.Dispose();
        _mixed?.Dispose();
    }

    /// <summary>The seed of the torch generator for step <paramref name="step"/>: a function of (seed, step) only.</summary>
    internal static long StepSeed(long seed, long step) => (long)(DeterministicRandom.Mix(seed, 2, step) >> 1);

    /// <summary>The seed of the weights of modules a method creates: a function of the run's seed only.</summary>
    internal static long MethodSeed(long seed) => (long)(DeterministicRandom.Mix(seed, 4) >> 1);

    private IEnumerable<TrainingEvent> Run(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var clock = Stopwatch.StartNew();
        _sinceCheckpoint.Restart();
        long firstStep = _completedSteps;
        MonitoringOptions monitoring = _options.Monitoring;
        CollapseMonitor? monitor = monitoring.CollapseWindow > 0 && _data.ClassCount >= 2 ? new CollapseMonitor(_data.ClassCount, monitoring.CollapseWindow) : null;
        TrainingCollapseDetected? collapse = null;
        PrecisionOptions precision = _options.Precision;
        TrainerLog.Started(_logger, _method.Describe(), _data.Name, firstStep + 1, TotalSteps, _options.BatchSizePerDomain, _options.BatchSizePerDomain, _options.Optimizer.Kind, _options.Optimizer.LearningRate, precision.Mode == TrainingPrecision.Full ? precision.Dtype.ToString() : $"{precision.Mode} ({precision.Dtype} master weights)", Device.ToString(), _options.Seed);
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
                    TrainerLog.Collapsed(_logger, _completedSteps - monitoring.CollapseWindow + 1, _completedSteps, windowMean, monitor.ChanceLoss, monitor.BestWindowMean, monitor.BestWindowEndStep, LastCheckpoint?.Path ?? "none written");
                    yield return collapse;
                }

                bool last = _completedSteps == TotalSteps;
                if (!last && _options.Evaluation.Interval > 0 && _completedSteps % _options.Evaluation.Interval == 0)
                {
                    yield return new EvaluationCompleted(EvaluateInLoop(cancellationToken));
                }

                if (!last && _store is not null && ((_options.Checkpoints.Interval > 0 && _completedSteps % _options.Checkpoints.Interval == 0) || (_options.Checkpoints.TimeInterval is { } every && _sinceCheckpoint.Elapsed >= every)))
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
        double factor = _options.Optimizer.LearningRateSchedule.FactorAt(progress);
        // lr_g = base_g × factor(p); each group's base is its InitialLearningRate, which setting LearningRate leaves alone.
        foreach (OptimizerFactory.NamedOptimizer o in _optimizers)
        {
            foreach (optim.ILearningRateController controller in o.Optimizer.ParamGroups)
            {
                controller.LearningRate = controller.InitialLearningRate * factor;
            }
        }

        double learningRate = _optimizers[0].Optimizer.ParamGroups.First().LearningRate;
        NamedValue[] losses;
        NamedValue[] metrics;
        NamedValue[] schedules;
        double totalLoss;
        using (var scope = NewDisposeScope())
        using (var context = new StepContext(step, TotalSteps, _options.Seed, Device, _mixed?.ComputeDtype ?? _options.Precision.Dtype))
        {
            random.manual_seed(StepSeed(_options.Seed, step));
            _modules.train();
            DomainBatch batch = _assembler.Assemble(_sampler, step, includeTargetLabels: _method.UsesTargetLabels);
            if (_mixed is not null) batch = _mixed.ToCompute(batch);
            batch = AugmentSource(batch, context);
            var updater = new Updater(this, batch, context, learningRate);
            LossTerms reported = _method.Update(updater, context);
            _average?.Update(_mixed?.MastersByName);
            _method.AfterStep(_model, context);
            losses = [.. reported.Terms.Select(t => new NamedValue(t.Name, t.Value.ToDouble(), t.Weight))];
            totalLoss = updater.FirstTotal ?? reported.Total().ToDouble();
            metrics = [.. reported.Metrics.Select(m => new NamedValue(m.Name, m.ToDouble()))];
            schedules = [.. reported.Schedules.Select(m => new NamedValue(m.Name, m.ToDouble()))];
        }

        _completedSteps = step + 1;
        if (_options.Monitoring.GarbageCollectionInterval > 0 && _completedSteps % _options.Monitoring.GarbageCollectionInterval == 0)
        {
            // Keeps the managed heap (and with it the resident memory) flat; see MonitoringOptions.GarbageCollectionInterval.
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        }

        var stepMetrics = new StepMetrics(_completedSteps, TotalSteps, progress, totalLoss, losses, metrics, schedules, learningRate, clock.Elapsed);
        int logInterval = _options.Monitoring.LogInterval;
        if (logInterval > 0 && (_completedSteps % logInterval == 0 || _completedSteps == TotalSteps) && _logger.IsEnabled(LogLevel.Information))
        {
            TrainerLog.Step(_logger, _completedSteps, TotalSteps, Describe(stepMetrics), learningRate, stepMetrics.StepTime.TotalMilliseconds);
        }

        return stepMetrics;
    }

    private DomainBatch AugmentSource(DomainBatch batch, StepContext context)
    {
        InputOptions input = _options.Input;
        if (input.SourceAugmentation != AugmentationKind.None)
        {
            batch = batch with { SourceImages = Augment(input.SourceAugmentation, batch.SourceImages, context.Generator(InputOptions.SourceAugmentationStream)) };
        }

        if (input.TargetAugmentation != AugmentationKind.None)
        {
            batch = batch with { TargetImages = Augment(input.TargetAugmentation, batch.TargetImages, context.Generator(InputOptions.TargetAugmentationStream)) };
        }

        return batch;
    }

    private Tensor Augment(AugmentationKind kind, Tensor images, Generator generator) => kind switch
    {
        AugmentationKind.Weak => BatchAugmentation.Weak(images, generator, _options.Input.WeakAugmentation),
        AugmentationKind.Strong => BatchAugmentation.Strong(images, generator, _options.Input.StrongAugmentation),
        AugmentationKind.ResizedCrop => BatchAugmentation.ResizedCrop(images, generator, _options.Input.ResizedCrop),
        _ => images,
    };

    private static string Describe(StepMetrics m)
    {
        var b = new StringBuilder();
        foreach (NamedValue v in m.Losses) b.Append(CultureInfo.InvariantCulture, $"{v.Name} loss {v.Value:F4}, ");
        foreach (NamedValue v in m.Metrics) b.Append(CultureInfo.InvariantCulture, $"{v.Name.Replace('_', ' ')} {v.Value:F3}, ");
        foreach (NamedValue v in m.Schedules) b.Append(CultureInfo.InvariantCulture, $"{v.Name} {v.Value:F4}, ");
        return b.Length >= 2 ? b.ToString(0, b.Length - 2) : string.Empty;
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
        if (_store is not null && _options.Checkpoints.OnCancel && _lastCheckpointStep != _completedSteps)
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
        foreach ((string name, Parameter parameter) in _modules.named_parameters())
        {
            if (!parameter.isfinite().all().ToBoolean())
            {
                string message = string.Create(CultureInfo.InvariantCulture, $"After step {_completedSteps} of {TotalSteps} the parameter '{name}' holds NaN or infinite values; no checkpoint was written, so the last one stays usable. Lower AdaptationTrainerOptions.Optimizer.LearningRate.");
                TrainerLog.Diverged(_logger, message);
                throw new TrainingDivergedException(message, _completedSteps, new Dictionary<string, double>(), double.NaN, LastCheckpoint);
            }
        }
    }

    private static Device ResolveDevice(string name)
    {
        if (name.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
        {
            throw new ArgumentException($"AdaptationTrainerOptions.Device is \"{name}\", but CUDA is not available here (no CUDA build of libtorch, or no GPU). Use \"cpu\" or reference a CUDA backend package.", "options");
        }

        try
        {
            return torch.device(name);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or ExternalException)
        {
            throw new ArgumentException($"AdaptationTrainerOptions.Device \"{name}\" cannot be used here: {ex.Message}", "options", ex);
        }
    }

    private static void CheckData(IDomainDataset data, AdaptationMethod method)
    {
        if (data.Source.Count == 0 || data.Target.Count == 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{data.Name}' needs samples in both domains, but the source has {data.Source.Count} and the target {data.Target.Count}."), nameof(data));
        }

        if (method.UsesTargetLabels && data.TargetLabelsForEvaluation is null)
        {
            throw new ArgumentException($"The method '{method.Name}' trains on target labels, but '{data.Name}' has none (IDomainDataset.TargetLabelsForEvaluation is null).", nameof(data));
        }
    }

    /// <summary>The trainer's <see cref="StepUpdater"/>: shared passes of the step's batch and checked minimisation.</summary>
    private sealed class Updater(AdaptationTrainer trainer, DomainBatch batch, StepContext context, double learningRate) : StepUpdater
    {
        /// <summary>The total of the first minimisation of the step (what the step reports as its loss).</summary>
        public double? FirstTotal { get; private set; }

        public override StepForward Forward(ForwardNeeds needs) => new(trainer._model, batch, trainer._options.BatchNormMode, needs);

        public override void Minimize(LossTerms terms, params string[] optimizers)
        {
            ArgumentNullException.ThrowIfNull(terms);
            ArgumentNullException.ThrowIfNull(optimizers);
            foreach (string name in optimizers)
            {
                if (!trainer._optimizers.Any(o => o.Name == name))
                {
                    throw new ArgumentException($"The method '{trainer._method.Name}' asked to step an optimizer '{name}', but it declared {string.Join(", ", trainer._optimizers.Select(o => o.Name))}.", nameof(optimizers));
                }
            }

            if (trainer._mixed is not null)
            {
                // The masters' gradients need no zeroing: CopyGradientsToMaster overwrites every one of them.
                trainer._mixed.ZeroComputeGradients();
            }
            else
            {
                foreach (OptimizerFactory.NamedOptimizer o in trainer._optimizers) o.Optimizer.zero_grad();
            }

            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (LossTerm term in terms.Terms) values[term.Name] = term.Value.ToDouble();
            Tensor total = terms.Total();
            double totalValue = total.ToDouble();
            if (!double.IsFinite(totalValue) || values.Values.Any(v => !double.IsFinite(v)))
            {
                string checkpoint = trainer.LastCheckpoint is null
                    ? "No checkpoint has been written."
                    : string.Create(CultureInfo.InvariantCulture, $"The last good checkpoint is '{trainer.LastCheckpoint.Path}' (step {trainer.LastCheckpoint.Step}).");
                string schedules = string.Concat(terms.Schedules.Select(s => string.Create(CultureInfo.InvariantCulture, $", {s.Name} = {s.ToDouble():G6}")));
                string listed = string.Join(", ", values.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} loss = {kv.Value}")));
                string message = string.Create(
                    CultureInfo.InvariantCulture,
                    $"Training diverged at step {context.Step + 1} of {trainer.TotalSteps} (p = {context.Progress:F4}{schedules}, learning rate = {learningRate:G6}, method {trainer._method.Name}): {listed}, total loss = {totalValue}. The parameters were not updated by this step's failing update. {checkpoint} Lower AdaptationTrainerOptions.Optimizer.LearningRate or the method's weights, or check the inputs for NaN or infinite values.");
                TrainerLog.Diverged(trainer._logger, message);
                throw new TrainingDivergedException(message, context.Step + 1, values, totalValue, trainer.LastCheckpoint);
            }

            FirstTotal ??= totalValue;
            total.backward();
            trainer._mixed?.CopyGradientsToMaster();
            foreach (OptimizerFactory.NamedOptimizer o in trainer._optimizers)
            {
                if (optimizers.Length == 0 || optimizers.Contains(o.Name)) o.Optimizer.step();
            }

            trainer._mixed?.CopyMasterToCompute();
        }
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            restore();
        }
    }
}
