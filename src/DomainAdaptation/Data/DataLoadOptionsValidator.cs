using Microsoft.Extensions.Options;

namespace DomainAdaptation.Data;

/// <summary>Validates <see cref="DataLoadOptions"/>.</summary>
public sealed class DataLoadOptionsValidator : IValidateOptions<DataLoadOptions>
{
    /// <summary>A shared instance.</summary>
    public static DataLoadOptionsValidator Instance { get; } = new();

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DataLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxDecompressedBytes <= 0)
        {
            failures.Add($"{nameof(DataLoadOptions.MaxDecompressedBytes)} must be positive, but was {options.MaxDecompressedBytes}.");
        }

        if (options.MaxDegreeOfParallelism < 1)
        {
            failures.Add($"{nameof(DataLoadOptions.MaxDegreeOfParallelism)} must be at least 1, but was {options.MaxDegreeOfParallelism}.");
        }

        if (options.CacheDirectory is not null && string.IsNullOrWhiteSpace(options.CacheDirectory))
        {
            failures.Add($"{nameof(DataLoadOptions.CacheDirectory)} must be null (the default user cache) or a folder path, but was blank.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Returns the options (or defaults when null) after validating them.</summary>
    /// <param name="options">The options, or null for defaults.</param>
    /// <returns>Valid options.</returns>
    /// <exception cref="OptionsValidationException">When the options are invalid.</exception>
    internal static DataLoadOptions EnsureValid(DataLoadOptions? options)
    {
        options ??= new DataLoadOptions();
        ValidateOptionsResult result = Instance.Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(DataLoadOptions), typeof(DataLoadOptions), result.Failures);
        }

        return options;
    }
}
