using Microsoft.Extensions.DependencyInjection.Extensions;
using Serving.Core.Rollouts;
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
        string stateDirectory = NonEmpty(section["StateDirectory"]) ?? "state";
        string? redis = NonEmpty(section["Redis"]);
        string keyPrefix = NonEmpty(section["Rollouts:RedisKeyPrefix"]) ?? RedisRolloutStore.DefaultKeyPrefix;

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRolloutStatusSource, NullRolloutStatusSource>();
        services.TryAddSingleton<IRolloutActionSink, LoggingRolloutActionSink>();
        if (redis is not null)
        {
            // The same registration as AddServingRegistry's: whichever runs first creates the one connection.
            services.TryAddSingleton<IConnectionMultiplexer>(_ =>
            {
                // Start even while Redis is down: the multiplexer keeps reconnecting in the background.
                var config = ConfigurationOptions.Parse(redis);
                config.AbortOnConnectFail = false;
                return ConnectionMultiplexer.Connect(config);
            });
            services.TryAddSingleton<IRolloutStore>(sp => new RedisRolloutStore(
                sp.GetRequiredService<IConnectionMultiplexer>(), keyPrefix, sp.GetRequiredService<ILogger<RedisRolloutStore>>()));
        }
        else
        {
            services.TryAddSingleton<IRolloutStore>(_ => new FileRolloutStore(stateDirectory));
        }

        return services;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
