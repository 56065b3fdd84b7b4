using Serving.Core.Outcomes;
using Serving.Gateway.Storage;
using StackExchange.Redis;

namespace Serving.Gateway.Experiments;

/// <summary>Registers the rollout experiments' arm store and the observer that fills it from the feedback stream.</summary>
internal static class ExperimentServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="IExperimentArmStore"/> (Redis when <c>Serving:Redis</c> is set, keys under
    /// <c>Serving:Experiments:RedisKeyPrefix</c>, default <c>serving:experiments</c>; this process otherwise) and
    /// the <see cref="ExperimentObserver"/> as an <see cref="ILabelledPredictionObserver"/>.
    /// </summary>
    public static IServiceCollection AddServingExperiments(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        string? redis = StorageOptions.From(configuration).Redis;
        if (redis is null)
        {
            services.AddSingleton<IExperimentArmStore, LocalExperimentArmStore>();
        }
        else
        {
            string prefix = configuration["Serving:Experiments:RedisKeyPrefix"] is { Length: > 0 } p ? p : RedisExperimentArmStore.DefaultKeyPrefix;
            services.AddRedisConnection(redis);
            services.AddSingleton<IExperimentArmStore>(sp => new RedisExperimentArmStore(
                sp.GetRequiredService<IConnectionMultiplexer>(), prefix, sp.GetRequiredService<ILogger<RedisExperimentArmStore>>()));
        }

        services.AddSingleton<ExperimentObserver>();
        services.AddSingleton<ILabelledPredictionObserver>(static sp => sp.GetRequiredService<ExperimentObserver>());
        return services;
    }
}
