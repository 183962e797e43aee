using Microsoft.Extensions.Options;

namespace DomainAdaptation.Data.Datasets;

/// <summary>Validates <see cref="ImageFolderOptions"/>.</summary>
public sealed class ImageFolderOptionsValidator : IValidateOptions<ImageFolderOptions>
{
    /// <summary>A shared instance.</summary>
    public static ImageFolderOptionsValidator Instance { get; } = new();

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ImageFolderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Channels is not (1 or 3)) failures.Add($"{nameof(ImageFolderOptions.Channels)} must be 1 (grey) or 3 (RGB), but was {options.Channels}.");
        if (options.Height.HasValue != options.Width.HasValue)
        {
            failures.Add($"{nameof(ImageFolderOptions.Height)} and {nameof(ImageFolderOptions.Width)} must be given together (to resize) or both left null (images brought to the most common size).");
        }

        if (options.Height is < 1 || options.Width is < 1) failures.Add($"The target size must be positive, but was {options.Height}×{options.Width}.");
        if (options.Extensions.Count == 0 || options.Extensions.Any(e => string.IsNullOrWhiteSpace(e) || !e.StartsWith('.')))
        {
            failures.Add($"{nameof(ImageFolderOptions.Extensions)} must list extensions starting with '.', e.g. \".png\".");
        }

        if (options.MaxPixelsPerImage < 1) failures.Add($"{nameof(ImageFolderOptions.MaxPixelsPerImage)} must be positive.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
