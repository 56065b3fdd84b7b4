using Microsoft.Extensions.DependencyInjection.Extensions;
using Serving.Core.Rollouts;
using Serving.Core.Storage;
using Serving.Gateway.Registry;
using Serving.Gateway.Storage;
using StackExchange.Redis;

namespace Serving.Gateway.Rollouts;

/// <summary>Registers the rollout policy store and the admin API's rollout services.</summary>
internal static class RolloutServiceCollectionExtensions
{
    /// <summary>
    /// Adds the rollout policy store: the Redis store when <c>Serving:Redis</c> (a StackExchange.Redis
    /// connection string) is set, keys under <c>Serving:Rollouts:RedisKeyPrefix</c> (default
    /// <c>serving:rollouts</c>), else the file store under <c>Serving:StateDirectory</c> (default
    /// <c>state</c>, policies in <c>rollouts/</c> inside). An <see cref="IConnectionMultiplexer"/> already
    /// registered (by <c>AddServingRegistry</c>) is shared. Also adds, unless registered before,
    /// <see cref="TimeProvider.System"/>, a <see cref="NullRolloutStatusSource"/> and a
    /// <see cref="LoggingRolloutActionSink"/>, which the rollout loop replaces with its own.
    /// </summary>
    public static IServiceCollection AddServingRollouts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        IConfigurationSection section = configuration.GetSection("Serving");
        var storage = StorageOptions.From(configuration);
        string stateDirectory = storage.StateDirectory;
        string? redis = storage.Redis;
        string keyPrefix = NonEmpty(section["Rollouts:RedisKeyPrefix"]) ?? RedisRolloutStore.DefaultKeyPrefix;
        string auditPrefix = NonEmpty(section["Registry:RedisKeyPrefix"]) ?? RedisRegistryStore.DefaultKeyPrefix;

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRolloutStatusSource, NullRolloutStatusSource>();
        services.TryAddSingleton<IRolloutActionSink, LoggingRolloutActionSink>();
        services.TryAddSingleton(_ => new StoreSnapshot<RolloutPolicy>(
            Path.Combine(stateDirectory, "snapshot", "rollouts.json"), RolloutJsonContext.Default.SnapshotDocumentRolloutPolicy));
        if (redis is not null)
        {
            services.AddRedisConnection(redis);
            services.TryAddSingleton<IRolloutStore>(sp => new RedisRolloutStore(
                sp.GetRequiredService<IConnectionMultiplexer>(), keyPrefix, auditPrefix, sp.GetRequiredService<StoreSnapshot<RolloutPolicy>>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisRolloutStore>>()));
        }
        else
        {
            services.TryAddSingleton<IRolloutStore>(sp => new FileRolloutStore(stateDirectory, sp.GetRequiredService<TimeProvider>()));
        }

        return services;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
