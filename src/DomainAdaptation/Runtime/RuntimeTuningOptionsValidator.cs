using System.Globalization;
using Microsoft.Extensions.Options;

namespace DomainAdaptation.Runtime;

/// <summary>Validates <see cref="RuntimeTuningOptions"/>: positive thread counts and malloc thresholds glibc accepts.</summary>
public sealed class RuntimeTuningOptionsValidator : IValidateOptions<RuntimeTuningOptions>
{
    /// <summary>The largest thread count accepted; more is certainly a mistake.</summary>
    public const int MaxThreads = 4096;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RuntimeTuningOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckThreads(options.IntraOpThreads, nameof(RuntimeTuningOptions.IntraOpThreads), failures);
        CheckThreads(options.InterOpThreads, nameof(RuntimeTuningOptions.InterOpThreads), failures);

        if (options.MmapThresholdBytes < 0 || options.MmapThresholdBytes > RuntimeTuningOptions.MaxMmapThresholdBytes)
        {
            failures.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{nameof(RuntimeTuningOptions)}.{nameof(RuntimeTuningOptions.MmapThresholdBytes)} must lie in [0, {RuntimeTuningOptions.MaxMmapThresholdBytes}] (glibc's 64-bit maximum, 32 MiB), but was {options.MmapThresholdBytes}."));
        }

        if (options.TrimThresholdBytes < 0)
        {
            failures.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{nameof(RuntimeTuningOptions)}.{nameof(RuntimeTuningOptions.TrimThresholdBytes)} must not be negative, but was {options.TrimThresholdBytes}."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckThreads(int? threads, string property, List<string> failures)
    {
        if (threads is { } n && (n < 1 || n > MaxThreads))
        {
            failures.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{nameof(RuntimeTuningOptions)}.{property} must be null (leave libtorch's default) or lie in [1, {MaxThreads}], but was {n}."));
        }
    }
}
