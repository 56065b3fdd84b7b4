using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Serving.Gateway.Storage;

/// <summary>The one Redis connection of a gateway, shared by the registry, the rollouts and drift.</summary>
internal static class RedisConnection
{
    /// <summary>How long a command waits for Redis before it fails (the admin API then answers 503).</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Registers the connection to <paramref name="connectionString"/> (a StackExchange.Redis connection
    /// string) unless one is registered already. The process starts and serves while Redis is down: the
    /// connection does not abort when the first connect fails, it keeps reconnecting in the background,
    /// and commands made while it is disconnected fail at once instead of queueing (so an admin write
    /// answers 503 immediately and readiness reports the store degraded).
    /// </summary>
    public static IServiceCollection AddRedisConnection(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton<IConnectionMultiplexer>(_ => Connect(connectionString));
        return services;
    }

    /// <summary>Opens a connection with the gateway's fail-fast settings (see <see cref="AddRedisConnection"/>).</summary>
    public static ConnectionMultiplexer Connect(string connectionString)
    {
        var config = ConfigurationOptions.Parse(connectionString);
        config.AbortOnConnectFail = false;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ConnectTimeout = (int)CommandTimeout.TotalMilliseconds;
        config.AsyncTimeout = (int)CommandTimeout.TotalMilliseconds;
        config.SyncTimeout = (int)CommandTimeout.TotalMilliseconds;
        return ConnectionMultiplexer.Connect(config);
    }
}
