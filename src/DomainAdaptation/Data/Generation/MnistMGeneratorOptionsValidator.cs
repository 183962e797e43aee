using Microsoft.Extensions.Options;

namespace DomainAdaptation.Data.Generation;

/// <summary>Validates <see cref="MnistMGeneratorOptions"/> with messages that name the option and the accepted values.</summary>
public sealed class MnistMGeneratorOptionsValidator : IValidateOptions<MnistMGeneratorOptions>
{
    /// <summary>The largest accepted <see cref="MnistMGeneratorOptions.ImageSize"/> (BSDS500 images are 321 pixels on their short side).</summary>
    public const int MaxImageSize = 321;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MnistMGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ImageSize is < 1 or > MaxImageSize)
        {
            failures.Add($"MnistMGeneratorOptions.ImageSize must lie in [1, {MaxImageSize}] (32 for the authors' release, 28 for the reference script), but was {options.ImageSize}.");
        }

        if (options.MaxDegreeOfParallelism is 0 or < -1)
        {
            failures.Add($"MnistMGeneratorOptions.MaxDegreeOfParallelism must be -1 (one per core) or 1 or more, but was {options.MaxDegreeOfParallelism}.");
        }

        if (!Enum.IsDefined(options.PngFilter))
        {
            failures.Add($"MnistMGeneratorOptions.PngFilter must be None or Adaptive, but was {(int)options.PngFilter}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
