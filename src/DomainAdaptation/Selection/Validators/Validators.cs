namespace DomainAdaptation.Selection.Validators;

/// <summary>The label-free validators by name (reverse validation needs a training recipe: <see cref="ReverseValidationValidator"/>).</summary>
public static class Validators
{
    /// <summary>The names of the validators <see cref="Create"/> makes, in the order of docs/selection.md.</summary>
    public static IReadOnlyList<string> Names { get; } = ["source-accuracy", "entropy", "im", "bnm", "snd", "dev", "class-ami"];

    /// <summary>Creates a validator by name.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="seed">The seed of the validators that draw random numbers (DEV's split and classifier, ClassAMI's k-means).</param>
    /// <returns>The validator.</returns>
    /// <exception cref="ArgumentException">When no validator has that name; the message lists them.</exception>
    public static IValidator Create(string name, long seed = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "source-accuracy" => new SourceAccuracyValidator(),
            "entropy" => new EntropyValidator(),
            "im" => new InformationMaximizationValidator(),
            "bnm" => new BnmValidator(),
            "snd" => new SndValidator(),
            "dev" => new DevValidator(seed),
            "class-ami" => new ClassAmiValidator(seed),
            _ => throw new ArgumentException($"There is no validator '{name}'. The validators are: {string.Join(", ", Names)}, and reverse (reverse validation, which trains a reverse model).", nameof(name)),
        };
    }
}
