using Microsoft.Extensions.Options;

namespace DomainAdaptation.Onnx;

/// <summary>Validates <see cref="OnnxExportOptions"/>.</summary>
public sealed class OnnxExportOptionsValidator : IValidateOptions<OnnxExportOptions>
{
    /// <summary>A shared instance.</summary>
    public static OnnxExportOptionsValidator Instance { get; } = new();

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, OnnxExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.InputShape is null)
        {
            failures.Add($"{nameof(OnnxExportOptions.InputShape)} is required: the shape of one sample without the batch dimension, e.g. 3×32×32.");
        }

        if (options.ClassNames is { } names)
        {
            for (int i = 0; i < names.Count; i++)
            {
                if (string.IsNullOrWhiteSpace(names[i])) failures.Add($"{nameof(OnnxExportOptions.ClassNames)}[{i}] is empty; every class needs a name.");
            }

            string? duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
            if (duplicate is not null) failures.Add($"{nameof(OnnxExportOptions.ClassNames)} holds '{duplicate}' more than once; class names must be distinct.");
        }

        if (options.Normalisation is { } n && options.InputShape is { IsImage: true } shape && n.Channels != shape.Channels)
        {
            failures.Add($"{nameof(OnnxExportOptions.Normalisation)} has {n.Channels} channels but {nameof(OnnxExportOptions.InputShape)} {shape} has {shape.Channels}.");
        }

        if (string.IsNullOrWhiteSpace(options.GraphName)) failures.Add($"{nameof(OnnxExportOptions.GraphName)} must not be empty.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static OnnxExportOptions EnsureValid(OnnxExportOptions options)
    {
        ValidateOptionsResult result = Instance.Validate(null, options);
        if (result.Failed) throw new OptionsValidationException(nameof(OnnxExportOptions), typeof(OnnxExportOptions), result.Failures);
        return options;
    }
}
