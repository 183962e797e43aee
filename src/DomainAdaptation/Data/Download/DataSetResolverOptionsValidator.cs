using Microsoft.Extensions.Options;

namespace DomainAdaptation.Data.Download;

/// <summary>Validates <see cref="DataSetResolverOptions"/> with messages naming the option, the value and what is accepted.</summary>
public sealed class DataSetResolverOptionsValidator : IValidateOptions<DataSetResolverOptions>
{
    /// <summary>The most attempts per mirror accepted.</summary>
    public const int MaxAttempts = 20;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DataSetResolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        CheckFolder(options.DataDirectory, nameof(options.DataDirectory), failures);
        CheckFolder(options.CacheDirectory, nameof(options.CacheDirectory), failures);

        if (options.Mirrors is null)
        {
            failures.Add("DataSetResolverOptions.Mirrors must not be null (leave it empty for the default mirrors).");
        }
        else
        {
            for (int i = 0; i < options.Mirrors.Count; i++)
            {
                Uri? mirror = options.Mirrors[i];
                if (mirror is null || !mirror.IsAbsoluteUri || (mirror.Scheme != Uri.UriSchemeHttp && mirror.Scheme != Uri.UriSchemeHttps))
                {
                    failures.Add($"DataSetResolverOptions.Mirrors[{i}] must be an absolute http:// or https:// URL, but was '{mirror?.OriginalString ?? "null"}'.");
                }
                else if (!string.IsNullOrEmpty(mirror.Query) || !string.IsNullOrEmpty(mirror.Fragment))
                {
                    failures.Add($"DataSetResolverOptions.Mirrors[{i}] must be a base URL without query or fragment, but was '{mirror}'.");
                }
            }
        }

        if (options.MaxAttemptsPerMirror is < 1 or > MaxAttempts)
        {
            failures.Add($"DataSetResolverOptions.MaxAttemptsPerMirror must lie in [1, {MaxAttempts}], but was {options.MaxAttemptsPerMirror}.");
        }

        if (options.InitialRetryDelay < TimeSpan.Zero || options.MaxRetryDelay < TimeSpan.Zero || options.InitialRetryDelay > options.MaxRetryDelay)
        {
            failures.Add($"DataSetResolverOptions.InitialRetryDelay ({options.InitialRetryDelay}) and MaxRetryDelay ({options.MaxRetryDelay}) must be 0 or more, with InitialRetryDelay ≤ MaxRetryDelay.");
        }

        if (options.AttemptTimeout <= TimeSpan.Zero && options.AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"DataSetResolverOptions.AttemptTimeout must be positive (or Timeout.InfiniteTimeSpan), but was {options.AttemptTimeout}.");
        }

        if (options.MaxDownloadBytes < 1)
        {
            failures.Add($"DataSetResolverOptions.MaxDownloadBytes must be 1 or more, but was {options.MaxDownloadBytes}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckFolder(string? folder, string option, List<string> failures)
    {
        if (folder is null) return;
        if (string.IsNullOrWhiteSpace(folder) || folder.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"DataSetResolverOptions.{option} must be null or a folder path, but was '{folder}'.");
        }
    }
}
