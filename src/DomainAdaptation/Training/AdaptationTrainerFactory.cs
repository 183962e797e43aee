using DomainAdaptation.Data;
using DomainAdaptation.Methods;
using DomainAdaptation.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DomainAdaptation.Training;

/// <summary>The default <see cref="IAdaptationTrainerFactory"/>: options from <see cref="IOptions{TOptions}"/>, loggers from the <see cref="ILoggerFactory"/> if one is registered.</summary>
public sealed class AdaptationTrainerFactory : IAdaptationTrainerFactory
{
    private readonly IOptions<AdaptationTrainerOptions> _options;
    private readonly ILoggerFactory _loggerFactory;

    /// <summary>Creates the factory.</summary>
    /// <param name="options">The registered options; reading <c>Value</c> validates them.</param>
    /// <param name="loggerFactory">The logger factory, or null for no logging.</param>
    public AdaptationTrainerFactory(IOptions<AdaptationTrainerOptions> options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
    }

    /// <inheritdoc />
    /// <exception cref="OptionsValidationException">When the registered options are invalid.</exception>
    public AdaptationTrainerOptions Options => _options.Value.Clone();

    /// <inheritdoc />
    public AdaptationTrainer Create(AdaptationModel model, IDomainDataset trainingData, AdaptationMethod method, IDomainDataset? evaluationData = null, Action<AdaptationTrainerOptions>? configure = null)
    {
        AdaptationTrainerOptions options = Options;
        configure?.Invoke(options);
        return new AdaptationTrainer(model, trainingData, method, options, _loggerFactory.CreateLogger<AdaptationTrainer>(), evaluationData);
    }
}
