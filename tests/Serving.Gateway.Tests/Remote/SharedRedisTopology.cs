using Serving.Gateway.Tests.Common;
using Serving.Gateway.Tests.Registry;

namespace Serving.Gateway.Tests.Remote;

/// <summary>
/// A redis-server, worker processes and a gateway (role gateway, in this process) in front of them, all
/// sharing the registry and rollouts in that Redis, as the README's scale-out setup does.
/// </summary>
internal sealed class SharedRedisTopology : IAsyncDisposable
{
    private readonly RedisServerFixture _redis;

    private SharedRedisTopology(RedisServerFixture redis, WorkerProcess[] workers, GatewayHost gateway)
    {
        _redis = redis;
        Workers = workers;
        Gateway = gateway;
    }

    public WorkerProcess[] Workers { get; }

    public GatewayHost Gateway { get; }

    /// <summary>
    /// Starts Redis, <paramref name="workers"/> workers (with <paramref name="workerSettings"/> too) and the gateway;
    /// returns once the gateway reports ready.
    /// </summary>
    public static async Task<SharedRedisTopology> StartAsync(int workers, IEnumerable<string>? workerSettings = null)
    {
        var redis = new RedisServerFixture();
        var started = new List<WorkerProcess>();
        try
        {
            await redis.InitializeAsync();
            string[] shared = [$"--Serving:Redis={redis.ConnectionString}"];
            for (var i = 0; i < workers; i++)
            {
                started.Add(await WorkerProcess.StartAsync([.. shared, .. workerSettings ?? []]));
            }
            var gateway = await RemoteTopology.StartGatewayAsync(started, shared);
            return new SharedRedisTopology(redis, [.. started], gateway);
        }
        catch
        {
            foreach (var worker in started)
            {
                await worker.DisposeAsync();
            }
            await redis.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        foreach (var worker in Workers)
        {
            await worker.DisposeAsync();
        }
        await _redis.DisposeAsync();
    }
}
