using DomainAdaptation.Training;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers DomainAdaptation's services.</summary>
public static class DomainAdaptationServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="AdaptationTrainerOptions"/> (configured by <paramref name="configure"/> and validated by
    /// <see cref="AdaptationTrainerOptionsValidator"/> when first read) and an <see cref="IAdaptationTrainerFactory"/> singleton.
    /// Invalid options surface as an <see cref="OptionsValidationException"/> naming each bad option when the factory
    /// (or <c>IOptions&lt;AdaptationTrainerOptions&gt;.Value</c>) is first used.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The same collection, for chaining.</returns>
    public static IServiceCollection AddDomainAdaptation(this IServiceCollection services, Action<AdaptationTrainerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<AdaptationTrainerOptions>().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AdaptationTrainerOptions>, AdaptationTrainerOptionsValidator>());
        services.TryAddSingleton<IAdaptationTrainerFactory, AdaptationTrainerFactory>();
        return services;
    }
}
