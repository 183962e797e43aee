using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace DomainAdaptation.Methods;

/// <summary>One named, weighted term of a method's objective: the trainer minimises <c>Σ Weight · Value</c>.</summary>
/// <param name="Name">A short snake_case name ("label", "domain", "mcc"); it names the metrics.csv column <c>{Name}_loss</c>.</param>
/// <param name="Value">A scalar (0-d) tensor of the step's dispose scope, differentiable where the term trains something.</param>
/// <param name="Weight">The term's weight in the total at this step (its schedule already applied); finite.</param>
public sealed record LossTerm(string Name, Tensor Value, double Weight);

/// <summary>A named scalar a method reports for a step (domain accuracy, pseudo-label mask rate, λ): never minimised.</summary>
/// <param name="Name">A short snake_case name.</param>
/// <param name="Value">A scalar (0-d) tensor, or a tensor-free value in <paramref name="Constant"/>.</param>
/// <param name="Constant">The value when it is not a tensor (schedules), else NaN.</param>
public sealed record MethodValue(string Name, Tensor? Value, double Constant = double.NaN)
{
    /// <summary>The value as a double (reads the tensor).</summary>
    public double ToDouble() => Value is null ? Constant : Value.ToDouble();
}

/// <summary>
/// What a method computed for one batch: its loss terms, its batch metrics and the schedule values it used. Names are
/// unique within each list.
/// </summary>
/// <param name="Terms">The loss terms, in the order they are summed.</param>
/// <param name="Metrics">Batch metrics (accuracies, rates), e.g. "source_accuracy", "domain_accuracy".</param>
/// <param name="Schedules">Schedule values read at this step's progress, e.g. "lambda".</param>
public sealed record LossTerms(IReadOnlyList<LossTerm> Terms, IReadOnlyList<MethodValue> Metrics, IReadOnlyList<MethodValue> Schedules)
{
    /// <summary>
    /// The objective <c>Σ Weight · Value</c> as one tensor, summed left to right: the first term, then each further term
    /// times its weight (a weight of exactly 1 adds the term itself, which is the same value).
    /// </summary>
    /// <exception cref="InvalidOperationException">When there are no terms.</exception>
    public Tensor Total()
    {
        if (Terms.Count == 0) throw new InvalidOperationException("A step's objective needs at least one loss term.");
        Tensor total = Weighted(Terms[0]);
        for (int i = 1; i < Terms.Count; i++)
        {
            total = total + Weighted(Terms[i]);
        }

        return total;
    }

    private static Tensor Weighted(LossTerm term) => term.Weight == 1.0 ? term.Value : term.Value * term.Weight;
}

/// <summary>Collects a step's loss terms, metrics and schedule values, keeping each name unique.</summary>
public sealed class LossTermsBuilder
{
    private readonly List<LossTerm> _terms = [];
    private readonly List<MethodValue> _metrics = [];
    private readonly List<MethodValue> _schedules = [];

    /// <summary>The prefix given to a name that is already taken (set by <see cref="CompositeMethod"/> for each part), or null.</summary>
    internal string? DisambiguationPrefix { get; set; }

    /// <summary>Adds a loss term.</summary>
    /// <param name="name">Its name (snake_case).</param>
    /// <param name="value">A scalar tensor.</param>
    /// <param name="weight">Its weight at this step; finite.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">When the weight is not finite.</exception>
    public LossTermsBuilder Add(string name, Tensor value, double weight = 1.0)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!double.IsFinite(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, string.Create(CultureInfo.InvariantCulture, $"The weight of loss term '{name}' must be finite, but was {weight}."));
        }

        _terms.Add(new LossTerm(Unique(name, _terms.Select(t => t.Name)), value, weight));
        return this;
    }

    /// <summary>Adds a batch metric.</summary>
    /// <param name="name">Its name (snake_case).</param>
    /// <param name="value">A scalar tensor.</param>
    /// <returns>This builder.</returns>
    public LossTermsBuilder Metric(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _metrics.Add(new MethodValue(Unique(name, _metrics.Select(m => m.Name)), value));
        return this;
    }

    /// <summary>Records a schedule value read at this step (e.g. λ).</summary>
    /// <param name="name">Its name (snake_case).</param>
    /// <param name="value">The value.</param>
    /// <returns>This builder.</returns>
    public LossTermsBuilder Schedule(string name, double value)
    {
        _schedules.Add(new MethodValue(Unique(name, _schedules.Select(m => m.Name)), null, value));
        return this;
    }

    /// <summary>The collected terms, metrics and schedule values.</summary>
    /// <returns>The step's <see cref="LossTerms"/>.</returns>
    public LossTerms Build() => new(_terms.ToArray(), _metrics.ToArray(), _schedules.ToArray());

    private string Unique(string name, IEnumerable<string> taken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var names = taken.ToHashSet(StringComparer.Ordinal);
        if (!names.Contains(name)) return name;
        string prefixed = (DisambiguationPrefix ?? "term") + "_" + name;
        return names.Contains(prefixed)
            ? throw new InvalidOperationException($"Two parts of a method report a value named '{name}' (and '{prefixed}' is taken too); give them distinct names.")
            : prefixed;
    }
}
