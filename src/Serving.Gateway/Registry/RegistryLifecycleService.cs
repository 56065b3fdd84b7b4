using Microsoft.Extensions.Options;
using Prometheus;
using Serving.Core.Registry;
using Serving.Core.Repository;
using Serving.Gateway.Hosting;
using Serving.Gateway.Inference;
using Serving.Gateway.Remote;
using Serving.Gateway.Rollouts;

namespace Serving.Gateway.Registry;

/// <summary>
/// Makes the gateway serve what the registry says: versions in Staging or Production are loaded (and
/// warmed up before they are routable), the Production version answers requests that name no version,
/// and versions that leave those stages are drained and unloaded. Runs on every change the store
/// reports (within a second on every replica with Redis) and every few seconds regardless. When the
/// store is unreachable the last known state keeps serving and readiness reports the registry degraded.
/// </summary>
internal sealed partial class RegistryLifecycleService : BackgroundService
{
    private readonly IRegistryStore _store;
    private readonly RegistrySeeder _seeder;
    private readonly ModelHost _host;
    private readonly RolloutSyncService _rollouts;
    private readonly WorkerPool workers;
    private readonly AliasTable _aliases;
    private readonly IOptions<ServingOptions> _options;
    private readonly ILogger<RegistryLifecycleService> _logger;

    public RegistryLifecycleService(
        IRegistryStore store,
        RegistrySeeder seeder,
        ModelHost host,
        RolloutSyncService rollouts,
        WorkerPool workers,
        AliasTable aliases,
        IOptions<ServingOptions> options,
        ILogger<RegistryLifecycleService> logger)
    {
        _store = store;
        _seeder = seeder;
        _host = host;
        _rollouts = rollouts;
        this.workers = workers;
        _aliases = aliases;
        _options = options;
        _logger = logger;
        // A rollout that names a version not in Staging or Production gets it loaded.
        rollouts.Changed += Signal;
    }

    private static readonly TimeSpan Resync = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryWhileDown = TimeSpan.FromSeconds(1);
    private static readonly Gauge RegistryUp = Prometheus.Metrics.CreateGauge(
        "serving_registry_up", "1 when the last read of the registry store succeeded, 0 while it fails (the last known state keeps serving).");
    private static readonly Counter SyncFailures = Prometheus.Metrics.CreateCounter(
        "serving_registry_sync_failures_total", "Registry reads that failed.");

    private readonly SemaphoreSlim _changed = new(0, 1);
    private volatile string? _degraded = "not yet read";

    /// <summary>Why the registry is degraded, or null when the last read succeeded.</summary>
    public string? Degraded => _degraded;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var root = Path.GetFullPath(_options.Value.ModelRepository);
        _ = WatchAsync(stoppingToken);
        var seeded = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var healthy = false;
            try
            {
                if (!seeded)
                {
                    await _seeder.SeedAsync(stoppingToken).ConfigureAwait(false);
                    seeded = true;
                }
                var states = await _store.ListAsync(stoppingToken).ConfigureAwait(false);
                healthy = true;
                _aliases.Update(states);
                if (_degraded is not null && _degraded != "not yet read")
                {
                    LogRecovered(_logger);
                }
                _degraded = null;
                RegistryUp.Set(1);
                // A gateway loads nothing: it only needs each model's default version, to name it when forwarding.
                var (desired, defaults) = _options.Value.Role == ServingRole.Gateway
                    ? (new List<VersionDescriptor>(), DefaultVersions(states))
                    : DesiredState(root, states, _rollouts.ReferencedVersions);
                workers.UpdateDefaults(defaults);
                await _host.ReconcileAsync(desired, defaults, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                SyncFailures.Inc();
                RegistryUp.Set(healthy ? 1 : 0);
                if (!healthy)
                {
                    _degraded = $"registry store unreachable since {DateTimeOffset.UtcNow:u}: {ex.Message}";
                }
                LogSyncFailed(_logger, ex.Message);
            }
            await WaitForChangeAsync(healthy ? Resync : RetryWhileDown, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The versions to load (Staging, Production, any version a rollout routes to or shadows, and any an
    /// alias names) and
    /// each model's default (its Production version).
    /// </summary>
    internal static (List<VersionDescriptor> Desired, Dictionary<string, int> Defaults) DesiredState(
        string root, IReadOnlyList<ModelState> states, Func<string, IEnumerable<int>> referencedByRollouts)
    {
        var desired = new List<VersionDescriptor>();
        var defaults = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            // Versions that a rollout routes to or an alias names are loaded so that they can answer.
            var referenced = new HashSet<int>(referencedByRollouts(state.Name));
            referenced.UnionWith(state.Aliases.Values);
            foreach (var version in state.Versions)
            {
                if (version.Stage is not (ModelStage.Staging or ModelStage.Production) && !referenced.Contains(version.Version))
                {
                    continue;
                }
                var path = Path.GetFullPath(Path.Combine(root, version.Artifact));
                desired.Add(ModelRepositoryScanner.Describe(root, state.Name, version.Version, path, version.Sha256));
                if (version.Stage == ModelStage.Production)
                {
                    defaults[state.Name] = version.Version;
                }
            }
        }
        return (desired, defaults);
    }

    /// <summary>Each model's Production version.</summary>
    internal static Dictionary<string, int> DefaultVersions(IReadOnlyList<ModelState> states)
    {
        var defaults = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            if (state.Production is { } production)
            {
                defaults[state.Name] = production.Version;
            }
        }
        return defaults;
    }

    private Task WatchAsync(CancellationToken stoppingToken) =>
        ChangeFeed.FollowAsync(_store.WatchAsync, Signal, reason => LogWatchFailed(_logger, reason), stoppingToken);

    private void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A change is already pending; one reconcile covers both.
        }
    }

    private async Task WaitForChangeAsync(TimeSpan timeout, CancellationToken stoppingToken)
    {
        try
        {
            await _changed.WaitAsync(timeout, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override void Dispose()
    {
        _rollouts.Changed -= Signal;
        _changed.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Reading the registry failed; serving the last known state: {Reason}")]
    private static partial void LogSyncFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "The registry change feed failed; retrying: {Reason}")]
    private static partial void LogWatchFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "The registry is reachable again; reconciling")]
    private static partial void LogRecovered(ILogger logger);
}
