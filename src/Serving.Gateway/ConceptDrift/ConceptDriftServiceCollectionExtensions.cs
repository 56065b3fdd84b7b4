using Serving.Core.Outcomes;

namespace Serving.Gateway.ConceptDrift;

/// <summary>Registers the concept-drift alarm.</summary>
internal static class ConceptDriftServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="ConceptDriftMonitor"/> (options <c>Serving:ConceptDrift</c>) as an
    /// <see cref="ILabelledPredictionObserver"/> and its <see cref="ConceptDriftService"/>.
    /// </summary>
    public static IServiceCollection AddConceptDrift(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<ConceptDriftOptions>(configuration.GetSection("Serving:ConceptDrift"));
        services.AddSingleton<ConceptDriftMonitor>();
        services.AddSingleton<ILabelledPredictionObserver>(static sp => sp.GetRequiredService<ConceptDriftMonitor>());
        services.AddSingleton<ConceptDriftService>();
        services.AddHostedService(static sp => sp.GetRequiredService<ConceptDriftService>());
        return services;
    }
}
