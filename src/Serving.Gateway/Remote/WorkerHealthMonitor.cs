using Microsoft.Extensions.Options;
using Serving.Gateway.Hosting;

namespace Serving.Gateway.Remote;

/// <summary>
/// Active health checks: probes every worker's readiness path each <see cref="ForwardingOptions.HealthCheckInterval"/>;
/// <see cref="ForwardingOptions.UnhealthyAfter"/> consecutive failures take a worker out, one success
/// brings it back. Probes run in parallel, off the request path, and never wait on each other.
/// </summary>
internal sealed partial class WorkerHealthMonitor : BackgroundService
{
    private readonly WorkerPool _pool;
    private readonly ForwardingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkerHealthMonitor> _logger;
    private readonly HttpClient _client;

    public WorkerHealthMonitor(WorkerPool pool, IOptions<ServingOptions> options, TimeProvider time, ILogger<WorkerHealthMonitor> logger)
    {
        _pool = pool;
        _options = options.Value.Forwarding;
        _time = time;
        _logger = logger;
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = _options.HealthCheckTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        })
        {
            Timeout = _options.HealthCheckTimeout,
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_pool.HasWorkers)
        {
            return;
        }
        var probes = new Task[_pool.Destinations.Length];
        while (!stoppingToken.IsCancellationRequested)
        {
            for (var i = 0; i < probes.Length; i++)
            {
                probes[i] = ProbeAsync(_pool.Destinations[i], stoppingToken);
            }
            await Task.WhenAll(probes).ConfigureAwait(false);
            try
            {
                await Task.Delay(_options.HealthCheckInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Probes one worker now and records the result.</summary>
    internal async Task ProbeAsync(WorkerDestination destination, CancellationToken cancellationToken)
    {
        bool success;
        string? reason = null;
        try
        {
            using var response = await _client.GetAsync(destination.Address + _options.HealthCheckPath, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                .ConfigureAwait(false);
            success = response.IsSuccessStatusCode;
            if (!success)
            {
                reason = $"HTTP {(int)response.StatusCode}";
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            success = false;
            reason = ex is TaskCanceledException ? $"no answer within {_options.HealthCheckTimeout.TotalSeconds:0.#} s" : ex.Message;
        }
        if (destination.ReportProbe(success, Math.Max(1, _options.UnhealthyAfter)))
        {
            if (success)
            {
                LogHealthy(_logger, destination.Address);
            }
            else
            {
                LogUnhealthy(_logger, destination.Address, reason ?? "probe failed");
            }
        }
        destination.UpdateGauge(_pool.NowTicks);
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 1601, Level = LogLevel.Information, Message = "Worker {Destination} is healthy")]
    private static partial void LogHealthy(ILogger logger, string destination);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Warning, Message = "Worker {Destination} is unhealthy and takes no traffic: {Reason}")]
    private static partial void LogUnhealthy(ILogger logger, string destination, string reason);
}
