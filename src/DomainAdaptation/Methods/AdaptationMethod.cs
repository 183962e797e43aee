using System.Globalization;
using System.Text.Json.Nodes;
using DomainAdaptation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods;

/// <summary>
/// An adaptation method: what one training step computes and updates, apart from the loop that drives it
/// (<see cref="Training.AdaptationTrainer"/>: batching, schedules, optimizers, evaluation, checkpoints, cancellation,
/// reporting). Derive from <see cref="LossMethod"/> for a method that returns weighted loss terms (the loop does one
/// backward pass and one optimizer step), or override <see cref="Update"/> for a method that runs its own updates
/// (MCD's three steps).
/// </summary>
/// <remarks>
/// <para>
/// A method may own modules beside the model (<see cref="AddModule"/>): the trainer moves them to the model's device
/// and dtype, registers trainable ones with the optimizer at their learning-rate multiplier, and saves them in
/// checkpoints. It creates them in <see cref="Initialize"/>, when the model's sizes are known. Every schedule is read
/// from the <see cref="StepContext"/>; a method keeps no step counter of its own.
/// </para>
/// <para>
/// A method instance belongs to one trainer (its modules are trained in place); create a new one for another run.
/// <see cref="Settings"/> records its hyper-parameters: a checkpoint resumes only with the same method and settings.
/// </para>
/// </remarks>
public abstract class AdaptationMethod : IDisposable
{
    private readonly List<MethodModule> _modules = [];
    private bool _initialized;

    /// <summary>The method's id (kebab-case, as <see cref="MethodCatalog"/> and the sample's <c>--method</c> name it), e.g. "cdan-e".</summary>
    public abstract string Name { get; }

    /// <summary>The method's hyper-parameters as JSON (schedules by description); recorded in checkpoints and run records.</summary>
    public abstract JsonObject Settings { get; }

    /// <summary>Which halves of the batch the shared forward pass carries. Default both.</summary>
    public virtual ForwardNeeds Needs => ForwardNeeds.Both;

    /// <summary>Whether the method trains on target labels (target-only, the upper bound; never in adaptation).</summary>
    public virtual bool UsesTargetLabels => false;

    /// <summary>The modules the method owns (after <see cref="Initialize"/>).</summary>
    public IReadOnlyList<MethodModule> Modules => _modules;

    /// <summary>
    /// The named optimizers the method needs. Default: one, <see cref="OptimizerGroup.Main"/>, over the whole model and
    /// every trainable method module.
    /// </summary>
    public virtual IReadOnlyList<OptimizerGroup> OptimizerGroups { get; } = [new OptimizerGroup(OptimizerGroup.Main, OptimizerGroup.AllParts)];

    /// <summary>
    /// The model to evaluate and ship instead of the trained one, or null for the trained model (mean teacher returns its
    /// teacher). It has the trained model's architecture.
    /// </summary>
    public virtual AdaptationModel? InferenceModel => null;

    /// <summary>The state-dict prefix of <see cref="InferenceModel"/> inside the method's modules (e.g. "teacher"), or null.</summary>
    public virtual string? InferenceModule => null;

    /// <summary>Whether <see cref="Initialize"/> has run.</summary>
    public bool IsInitialized => _initialized;

    /// <summary>One line for reports, e.g. "DANN (λ_p = 2/(1+exp(−10p))−1, domain-loss weight 1)".</summary>
    /// <returns>The description.</returns>
    public virtual string Describe() => Name + " " + Settings.ToJsonString();

    /// <summary>
    /// Prepares the method for a run: called once by the trainer before the first step, with the model on its device;
    /// creates the method's modules (<see cref="AddModule"/>) and checks them against the model.
    /// </summary>
    /// <param name="setup">The model, its sizes, device, dtype and a seed.</param>
    /// <exception cref="InvalidOperationException">When called twice (a method belongs to one run).</exception>
    public void Initialize(MethodSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (_initialized)
        {
            throw new InvalidOperationException($"The method '{Name}' was already initialised for a run; a method instance (and its modules) belongs to one trainer. Create a new instance.");
        }

        OnInitialize(setup);
        _initialized = true;
    }

    /// <summary>Creates and checks the method's modules; see <see cref="Initialize"/>. Default: nothing.</summary>
    /// <param name="setup">The model, its sizes, device, dtype and a seed.</param>
    protected virtual void OnInitialize(MethodSetup setup)
    {
    }

    /// <summary>
    /// Runs one step's updates: typically one shared forward pass, the losses, and <see cref="StepUpdater.Minimize"/>.
    /// Called inside the step's dispose scope with the model and the method's modules in training mode.
    /// </summary>
    /// <param name="updater">Forward passes and minimisation.</param>
    /// <param name="context">The step, progress, device and generators.</param>
    /// <returns>What to report for the step (terms, metrics, schedule values).</returns>
    public abstract LossTerms Update(StepUpdater updater, StepContext context);

    /// <summary>Runs after the optimizers stepped (an EMA teacher follows the student here). Default: nothing.</summary>
    /// <param name="model">The model, just updated.</param>
    /// <param name="context">The step.</param>
    public virtual void AfterStep(AdaptationModel model, StepContext context)
    {
    }

    /// <summary>Registers a module the method owns; call it from <see cref="OnInitialize"/>.</summary>
    /// <param name="name">Its name (snake_case, unique within the method).</param>
    /// <param name="module">The module.</param>
    /// <param name="learningRateMultiplier">Its learning rate relative to the base rate; finite, ≥ 0.</param>
    /// <param name="trainable">False for modules no optimizer trains (an EMA teacher).</param>
    /// <param name="optimizer">The optimizer that trains it (<see cref="OptimizerGroup.Name"/>).</param>
    /// <exception cref="ArgumentException">When the name is taken.</exception>
    protected void AddModule(string name, nn.Module module, double learningRateMultiplier = 1.0, bool trainable = true, string optimizer = OptimizerGroup.Main)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(module);
        PartLearningRates.Check(learningRateMultiplier, nameof(learningRateMultiplier));
        if (_modules.Any(m => m.Name == name))
        {
            throw new ArgumentException($"The method '{Name}' already has a module named '{name}'.", nameof(name));
        }

        if (!OptimizerGroups.Any(g => g.Name == optimizer))
        {
            throw new ArgumentException($"The method '{Name}' has no optimizer named '{optimizer}' (it has {string.Join(", ", OptimizerGroups.Select(g => g.Name))}).", nameof(optimizer));
        }

        _modules.Add(new MethodModule(name, module, learningRateMultiplier, trainable, optimizer));
    }

    /// <summary>Checks that <paramref name="value"/> is a finite number ≥ 0 (for weights), naming the method and the setting.</summary>
    /// <param name="value">The value.</param>
    /// <param name="setting">The setting's name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When it is negative, NaN or infinite.</exception>
    protected double NonNegative(double value, string setting)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(setting, value, string.Create(CultureInfo.InvariantCulture, $"{GetType().Name}: {setting} must be a finite number ≥ 0, but was {value}."));
        }

        return value;
    }

    /// <summary>Checks that <paramref name="value"/> is a finite number &gt; 0, naming the method and the setting.</summary>
    /// <param name="value">The value.</param>
    /// <param name="setting">The setting's name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When it is not positive, NaN or infinite.</exception>
    protected double Positive(double value, string setting)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(setting, value, string.Create(CultureInfo.InvariantCulture, $"{GetType().Name}: {setting} must be a finite number > 0, but was {value}."));
        }

        return value;
    }

    /// <summary>Disposes the modules the method owns.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the method's modules.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (MethodModule m in _modules) m.Module.Dispose();
        _modules.Clear();
    }

    /// <summary>The accuracy of logits against labels, as a float64 scalar.</summary>
    /// <param name="logits">Logits <c>[B, K]</c>.</param>
    /// <param name="labels">int64 labels <c>[B]</c>.</param>
    /// <returns>The fraction of correct arg-maxes.</returns>
    protected static Tensor Accuracy(Tensor logits, Tensor labels) =>
        logits.argmax(1).eq(labels).to_type(ScalarType.Float64).mean();

    /// <summary>Moves modules the method created to the model's device and dtype (the trainer moves them again; this lets <see cref="OnInitialize"/> run checks on the right device).</summary>
    /// <param name="module">The module.</param>
    /// <param name="setup">The run.</param>
    /// <returns>The module.</returns>
    protected static T Place<T>(T module, MethodSetup setup)
        where T : nn.Module
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(setup);
        module.to(setup.Device, setup.Dtype);
        return module;
    }
}
