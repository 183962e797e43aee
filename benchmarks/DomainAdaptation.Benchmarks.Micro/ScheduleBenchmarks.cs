using BenchmarkDotNet.Attributes;
using DomainAdaptation.Schedules;

namespace DomainAdaptation.Benchmarks.Micro;

/// <summary>
/// The per-step cost of the schedules: λ (the paper's sigmoid ramp) and the learning-rate factor (the paper's annealing),
/// each evaluated for every step of a 10,000-step run; the reported time is per step.
/// </summary>
public class ScheduleBenchmarks
{
    private const int Steps = 10_000;
    private readonly ILambdaSchedule _ganin = LambdaSchedules.Ganin();
    private readonly ILambdaSchedule _delayedLinear = LambdaSchedules.Delayed(LambdaSchedules.Linear(0, 1), 0.1);
    private readonly ILearningRateSchedule _annealing = LearningRateSchedules.Annealing();

    /// <summary>λ from the paper's schedule at p = step / total.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public double GaninLambda()
    {
        double sum = 0;
        for (int step = 0; step < Steps; step++) sum += _ganin.ValueAt(Progress.Of(step, Steps));
        return sum;
    }

    /// <summary>λ from a composed schedule (delay, then linear).</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public double DelayedLinearLambda()
    {
        double sum = 0;
        for (int step = 0; step < Steps; step++) sum += _delayedLinear.ValueAt(Progress.Of(step, Steps));
        return sum;
    }

    /// <summary>The learning-rate factor from the paper's annealing at p = step / total.</summary>
    [Benchmark(OperationsPerInvoke = Steps)]
    public double AnnealingLearningRate()
    {
        double sum = 0;
        for (int step = 0; step < Steps; step++) sum += _annealing.FactorAt(Progress.Of(step, Steps));
        return sum;
    }
}
