namespace DomainAdaptation.Selection;

/// <summary>
/// Scores a trained model without target labels, from labelled source data and unlabelled target data (higher is
/// better), so that runs, checkpoints and methods can be compared — and chosen — when the target has no labels.
/// </summary>
public interface IValidator
{
    /// <summary>The validator's name (kebab-case), as the sample's <c>select --validator</c> takes it, e.g. "snd".</summary>
    string Name { get; }

    /// <summary>Scores the model.</summary>
    /// <param name="data">The model, its input conversion, the samples and the outputs computed once.</param>
    /// <param name="cancellationToken">Checked between batches of work.</param>
    /// <returns>The score (higher is better) and its parts.</returns>
    ValidationScore Score(ValidationData data, CancellationToken cancellationToken = default);
}

/// <summary>A validator's score of one model: higher is better.</summary>
/// <param name="Validator">The validator's name.</param>
/// <param name="Score">The score; higher is better (risks are negated).</param>
/// <param name="Parts">The figures it is made of, by name (e.g. IM's "entropy" and "diversity", DEV's "risk").</param>
public sealed record ValidationScore(string Validator, double Score, IReadOnlyList<KeyValuePair<string, double>> Parts)
{
    /// <summary>A score without parts.</summary>
    /// <param name="validator">The validator's name.</param>
    /// <param name="score">The score.</param>
    /// <returns>The score.</returns>
    public static ValidationScore Of(string validator, double score) => new(validator, score, []);
}
