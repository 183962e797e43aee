using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;

namespace DomainAdaptation.Schedules;

/// <summary>
/// A TorchSharp learning-rate scheduler driven by training progress <c>p = step / totalSteps</c>: after every
/// <see cref="step()"/> each parameter group's learning rate is <c>lr_g = base_g · schedule.FactorAt(p)</c>, where
/// <c>base_g</c> is that group's own initial learning rate. Works with any TorchSharp optimizer (SGD, Adam, …).
/// </summary>
/// <remarks>
/// <para>
/// With <see cref="LearningRateSchedules.Annealing"/> this is the paper's annealing
/// <c>μ_p = μ0 / (1 + α p)^β</c> (Ganin &amp; Lempitsky 2015, §3.3), applied per parameter group, so groups with
/// different base rates (for example a pre-trained backbone at 0.1× the head's rate) keep their ratio.
/// </para>
/// <para>
/// Use it like any TorchSharp scheduler: construct it after the optimizer (the learning rates are set for p = 0 at once),
/// call <c>optimizer.step()</c> and then <see cref="step()"/> once per training step. After <c>totalSteps</c> calls the
/// rates are those of p = 1; one more call throws <see cref="InvalidOperationException"/>, because stepping past the
/// planned end means the loop and <c>totalSteps</c> disagree. To resume exactly, call <see cref="SetStep"/> with the
/// number of completed steps.
/// </para>
/// <para>
/// The base rates are read once, at construction, from each group's <c>InitialLearningRate</c> (TorchSharp sets it to
/// the rate the group was created with). Parameter groups added to the optimizer later are not scheduled.
/// </para>
/// </remarks>
public sealed class ProgressLearningRateScheduler : torch.optim.lr_scheduler.LRScheduler
{
    private readonly torch.optim.Optimizer _target;
    private readonly double[] _baseRates;
    private long _step;

    /// <summary>Creates the scheduler and sets every group's learning rate for step 0 (p = 0).</summary>
    /// <param name="optimizer">The optimizer whose parameter groups are scheduled.</param>
    /// <param name="schedule">The factor of each group's base rate as a function of progress.</param>
    /// <param name="totalSteps">The planned number of training steps; must be positive.</param>
    /// <exception cref="ArgumentNullException">When <paramref name="optimizer"/> or <paramref name="schedule"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="totalSteps"/> ≤ 0.</exception>
    /// <exception cref="ArgumentException">When the optimizer has no parameter groups, or a group's initial learning rate is negative or not finite.</exception>
    public ProgressLearningRateScheduler(torch.optim.Optimizer optimizer, ILearningRateSchedule schedule, long totalSteps)
        : base(optimizer ?? throw new ArgumentNullException(nameof(optimizer)), last_epoch: -1, verbose: false)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (totalSteps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "The total number of training steps must be positive.");
        }

        _target = optimizer;
        _baseRates = optimizer.ParamGroups.Select(g => g.InitialLearningRate).ToArray();
        if (_baseRates.Length == 0)
        {
            throw new ArgumentException("The optimizer has no parameter groups to schedule.", nameof(optimizer));
        }

        for (int i = 0; i < _baseRates.Length; i++)
        {
            if (!double.IsFinite(_baseRates[i]) || _baseRates[i] < 0.0)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Parameter group {i} has initial learning rate {_baseRates[i]}; it must be a finite, non-negative number."),
                    nameof(optimizer));
            }
        }

        Schedule = schedule;
        TotalSteps = totalSteps;
        SetStep(0);
    }

    /// <summary>The factor schedule.</summary>
    public ILearningRateSchedule Schedule { get; }

    /// <summary>The planned number of training steps.</summary>
    public long TotalSteps { get; }

    /// <summary>The number of completed steps the current learning rates correspond to, in <c>[0, TotalSteps]</c>.</summary>
    public long CurrentStep => _step;

    /// <summary>The current progress <c>p = CurrentStep / TotalSteps</c>.</summary>
    public double Progress => Schedules.Progress.Of(_step, TotalSteps);

    /// <summary>Each parameter group's base learning rate (its initial rate when the scheduler was created), in group order.</summary>
    public IReadOnlyList<double> BaseLearningRates => _baseRates;

    /// <summary>Advances one training step (p grows by <c>1 / TotalSteps</c>) and sets every group's learning rate.</summary>
    /// <exception cref="InvalidOperationException">When the scheduler is already at <see cref="TotalSteps"/>.</exception>
    public override void step() => step(null);

    /// <summary>
    /// Advances one step when <paramref name="epoch"/> is null; otherwise moves to step <paramref name="epoch"/>
    /// (TorchSharp's closed-form convention), like <see cref="SetStep"/>.
    /// </summary>
    /// <param name="epoch">Null to advance by one, or an explicit step in <c>[0, TotalSteps]</c>.</param>
    /// <exception cref="InvalidOperationException">When advancing past <see cref="TotalSteps"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When an explicit step is outside <c>[0, TotalSteps]</c>.</exception>
    public override void step(int? epoch)
    {
        if (epoch.HasValue)
        {
            SetStep(epoch.Value);
            return;
        }

        if (_step >= TotalSteps)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The learning-rate scheduler is already at step {_step} of {TotalSteps} (p = 1); stepping further means the training loop runs more steps than the totalSteps it was created with."));
        }

        _step++;
        Apply();
    }

    /// <summary>
    /// Moves to an explicit position (for an exact resume from a checkpoint) and sets every group's learning rate to
    /// <c>base_g · FactorAt(step / TotalSteps)</c>.
    /// </summary>
    /// <param name="step">The number of completed steps, in <c>[0, TotalSteps]</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="step"/> is outside <c>[0, TotalSteps]</c>.</exception>
    public void SetStep(long step)
    {
        _ = Schedules.Progress.Of(step, TotalSteps);
        _step = step;
        Apply();
    }

    /// <summary>The learning rates for the current step: <c>base_g · FactorAt(p)</c> for every group.</summary>
    /// <returns>One rate per parameter group.</returns>
    /// <exception cref="InvalidOperationException">When the schedule returns a negative or non-finite factor.</exception>
    protected override IEnumerable<double> get_lr()
    {
        double p = Schedules.Progress.Of(_step, TotalSteps);
        double factor = Schedule.FactorAt(p);
        if (!double.IsFinite(factor) || factor < 0.0)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The learning-rate schedule {Schedule.GetType().Name} returned factor {factor} at p = {p}; a factor must be finite and non-negative."));
        }

        return _baseRates.Select(rate => rate * factor).ToArray();
    }

    /// <summary>The closed form is the same as <see cref="get_lr"/>: the rates depend only on the position.</summary>
    /// <returns>One rate per parameter group.</returns>
    protected override IEnumerable<double> get_closed_form_lr() => get_lr();

    // The base class writes get_lr() into the optimizer's groups and into get_last_lr(); its own epoch counter is unused.
    private void Apply()
    {
        if (_target.ParamGroups.Count() != _baseRates.Length)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The optimizer had {_baseRates.Length} parameter group(s) when the scheduler was created and now has {_target.ParamGroups.Count()}; create the scheduler after adding every group."));
        }

        base.step(null);
    }
}
