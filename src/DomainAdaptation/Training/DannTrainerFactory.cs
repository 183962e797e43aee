using DomainAdaptation.Data;
using DomainAdaptation.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DomainAdaptation.Training;

/// <summary>The default <see cref="IDannTrainerFactory"/>: options from <see cref="IOptions{TOptions}"/>, loggers from the <see cref="ILoggerFactory"/> if one is registered.</summary>
public sealed class DannTrainerFactory : IDannTrainerFactory
{
    private readonly IOptions<DannTrainerOptions> _options;
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates the factory.</summary>
    /// <param name="options">The registered options; reading <c>Value</c> validates them.</param>
    /// <param name="loggerFactory">The logger factory, or null for no logging.</param>
    public DannTrainerFactory(IOptions<DannTrainerOptions> options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <inheritdoc />
    /// <exception cref="OptionsValidationException">When the registered options are invalid.</exception>
    public DannTrainerOptions Options => _options.Value.Clone();

    /// <inheritdoc />
    public DannTrainer Create(DannModel model, IDomainDataset trainingData, IDomainDataset? evaluationData = null, Action<DannTrainerOptions>? configure = null)
    {
        DannTrainerOptions options = Options;
        configure?.Invoke(options);
        return new DannTrainer(model, trainingData, options, _loggerFactory.CreateLogger<DannTrainer>(), evaluationData);
    }
}
