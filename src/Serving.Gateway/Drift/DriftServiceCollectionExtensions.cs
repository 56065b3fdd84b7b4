using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serving.Gateway.Storage;
using StackExchange.Redis;

namespace Serving.Gateway.Drift;

/// <summary>Registers how drift windows are shared between replicas.</summary>
internal static class DriftServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="IDriftWindowExchange"/>: windows merged in Redis across replicas when
    /// <c>Serving:Redis</c> is set (reusing the registered <see cref="IConnectionMultiplexer"/>, or adding
    /// one that starts while Redis is down), else per process.
    /// </summary>
    public static IServiceCollection AddDriftWindowExchange(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var redis = StorageOptions.From(configuration).Redis;
        if (redis is null)
        {
            services.AddSingleton<IDriftWindowExchange, LocalDriftWindowExchange>();
            return services;
        }

        services.AddRedisConnection(redis);
        services.AddSingleton<IDriftWindowExchange>(static sp => new RedisDriftWindowExchange(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<IOptions<DriftOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RedisDriftWindowExchange>>()));
        return services;
    }

    /// <summary>
    /// Adds the <see cref="IDriftStateStore"/> that keeps alarms and window history across restarts: in
    /// Redis when <c>Serving:Redis</c> is set, else in files under <c>Serving:StateDirectory</c> (default
    /// <c>state</c>), where the registry keeps its own.
    /// </summary>
    public static IServiceCollection AddDriftStateStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var storage = StorageOptions.From(configuration);
        if (storage.Redis is null)
        {
            services.AddSingleton<IDriftStateStore>(sp => new FileDriftStateStore(
                storage.StateDirectory, sp.GetRequiredService<ILogger<FileDriftStateStore>>()));
            return services;
        }

        services.AddSingleton<IDriftStateStore>(static sp => new RedisDriftStateStore(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<IOptions<DriftOptions>>().Value,
            sp.GetRequiredService<ILogger<RedisDriftStateStore>>()));
        return services;
    }
}
