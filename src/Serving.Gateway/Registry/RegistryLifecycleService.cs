using Microsoft.Extensions.Options;
using Prometheus;
using Serving.Core.Registry;
using Serving.Core.Repository;
using Serving.Gateway.Inference;
using Serving.Gateway.Remote;
using Serving.Gateway.Storage;

namespace Serving.Gateway.Registry;

/// <summary>
/// Makes the gateway serve what the registry says: versions in Staging or Production are loaded (and
/// warmed up before they are routable), the Production version answers requests that name no version,
/// and versions that leave those stages are drained and unloaded. Runs on every change the store
/// reports (within a second on every replica with Redis) and every few seconds regardless. When the
/// store is unreachable the last known state keeps serving and readiness reports the registry degraded;
/// when it is unreachable from the start, <see cref="LastKnownRegistry"/> says what to serve.
/// </summary>
internal sealed partial class RegistryLifecycleService : BackgroundService
{
    private readonly IRegistryStore _store;
    private readonly RegistrySeeder _seeder;
    private readonly LastKnownRegistry _lastKnown;
    private readonly ModelHost _host;
    private readonly WorkerPool workers;
    private readonly AliasTable _aliases;
    private readonly ServingRole _role;
    private readonly StorageOptions _storage;
    private readonly ILogger<RegistryLifecycleService> _logger;

    public RegistryLifecycleService(
        IRegistryStore store,
        RegistrySeeder seeder,
        LastKnownRegistry lastKnown,
        ModelHost host,
        WorkerPool workers,
        AliasTable aliases,
        IOptions<RemoteOptions> remote,
        IOptions<StorageOptions> storage,
        ILogger<RegistryLifecycleService> logger)
    {
        _store = store;
        _seeder = seeder;
        _lastKnown = lastKnown;
        _host = host;
        this.workers = workers;
        _aliases = aliases;
        _role = remote.Value.Role;
        _storage = storage.Value;
        _logger = logger;
    }

    private static readonly TimeSpan Resync = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryWhileDown = TimeSpan.FromSeconds(1);
    private static readonly Gauge RegistryUp = Prometheus.Metrics.CreateGauge(
        "serving_registry_up", "1 when the last read of the registry store succeeded, 0 while it fails (the last known state keeps serving).");
    private static readonly Counter SyncFailures = Prometheus.Metrics.CreateCounter(
        "serving_registry_sync_failures_total", "Registry reads that failed.");

    private readonly SemaphoreSlim _changed = new(0, 1);
    private volatile string? _degraded = "not yet read";
    private bool _reconciled;
    private string? _servingFrom;

    /// <summary>Why the registry is degraded, or null when the last read succeeded.</summary>
    public string? Degraded => _degraded;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var root = Path.GetFullPath(_storage.ModelRepository);
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
                if (_degraded is not null && _degraded != "not yet read")
                {
                    LogRecovered(_logger);
                }
                _degraded = null;
                _servingFrom = null;
                RegistryUp.Set(1);
                await ReconcileAsync(root, states, stoppingToken).ConfigureAwait(false);
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
                    _degraded = $"registry store unreachable since {TimeProvider.System.GetUtcNow():u}: {ex.Message}{_servingFrom}";
                }
                LogSyncFailed(_logger, ex.Message);
                if (!healthy && !_reconciled)
                {
                    await ServeLastKnownAsync(root, stoppingToken).ConfigureAwait(false);
                }
            }
            // A version that failed to load is due again after its back-off, possibly before the next resync.
            await WaitForChangeAsync(healthy ? _host.UntilNextRetry(Resync) : RetryWhileDown, stoppingToken).ConfigureAwait(false);
        }
    }

    private async Task ReconcileAsync(string root, IReadOnlyList<ModelState> states, CancellationToken stoppingToken)
    {
        // A gateway loads nothing: it only needs each model's default version, to name it when forwarding.
        var (desired, defaults) = _role == ServingRole.Gateway
            ? (new List<VersionDescriptor>(), DefaultVersions(states))
            : DesiredState(root, states);
        _aliases.Update(states);
        workers.UpdateDefaults(defaults);
        workers.UpdateLoadable(states);
        await _host.ReconcileAsync(desired, defaults, stoppingToken).ConfigureAwait(false);
        _reconciled = true;
    }

    /// <summary>The store has not been readable since start-up: serve its last known state (or the repository seed) meanwhile.</summary>
    private async Task ServeLastKnownAsync(string root, CancellationToken stoppingToken)
    {
        try
        {
            var (states, source) = await _lastKnown.ReadAsync(stoppingToken).ConfigureAwait(false);
            await ReconcileAsync(root, states, stoppingToken).ConfigureAwait(false);
            _servingFrom = "; serving " + source;
            _degraded += _servingFrom;
            LogServingLastKnown(_logger, source);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            LogSyncFailed(_logger, ex.Message);
        }
    }

    /// <summary>
    /// The versions to load (Staging and Production: a rollout may name only those, so they are all it
    /// routes to; and any version an alias names, for the requests that name the alias) and each model's
    /// default (its Production version).
    /// </summary>
    internal static (List<VersionDescriptor> Desired, Dictionary<string, int> Defaults) DesiredState(
        string root, IReadOnlyList<ModelState> states)
    {
        var desired = new List<VersionDescriptor>();
        var defaults = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            // Versions an alias names are loaded so that requests naming the alias can answer.
            var aliased = new HashSet<int>(state.Aliases.Values);
            foreach (var version in state.Versions)
            {
                if (version.Stage is not (ModelStage.Staging or ModelStage.Production) && !aliased.Contains(version.Version))
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
        StoreWatchLoop.FollowAsync(_store.WatchAsync, Signal, reason => LogWatchFailed(_logger, reason), stoppingToken);

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
        _changed.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Reading the registry failed; serving the last known state: {Reason}")]
    private static partial void LogSyncFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "The registry change feed failed; retrying: {Reason}")]
    private static partial void LogWatchFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "The registry is reachable again; reconciling")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "The registry store has not been readable since start-up; serving {Source} until it is")]
    private static partial void LogServingLastKnown(ILogger logger, string source);
}
