using System.Diagnostics;
using Microsoft.Extensions.Options;
using Prometheus;
using Serving.Core.Protocol;
using Serving.Core.Repository;
using Serving.Gateway.Batching;
using Serving.Gateway.Drift;

namespace Serving.Gateway.Inference;

/// <summary>
/// Loads, warms up, publishes and unloads model versions. <see cref="ReconcileAsync"/> makes the set
/// of loaded versions equal to a desired set: new versions are loaded and warmed up before they become
/// routable; versions that leave stop taking requests, finish those in flight, and are disposed.
/// Requests only ever read <see cref="Catalog"/>, an immutable snapshot swapped atomically.
/// </summary>
internal sealed partial class ModelHost : IMonitoredVersions, IDisposable
{
    private static readonly Gauge ProductionServing = Prometheus.Metrics.CreateGauge(
        "serving_production_version_serving",
        "1 when the registry's Production version of a model is the one answering its default traffic here, 0 while another version stands in (it failed to load, or is still loading).",
        new GaugeConfiguration { LabelNames = ["model"] });

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(string Model, int Version), LoadedVersion> _versions = [];
    private readonly SessionFactory _factory;
    private readonly DriftMonitorFactory _drift;
    private readonly ModelHostOptions _options;
    private readonly OnnxRuntimeOptions _onnxRuntime;
    private readonly BatchingDefaults _batching;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelHost> _logger;
    private volatile ModelCatalog _catalog = ModelCatalog.Empty;
    private readonly Dictionary<(string Model, int Version), LoadRetry> _retries = [];
    private Dictionary<string, int> _defaults = new(StringComparer.Ordinal);
    private Dictionary<string, int> _requestedDefaults = new(StringComparer.Ordinal);
    private long _nextRetryTicks = long.MaxValue;
    private volatile bool _initialLoadComplete;

    public ModelHost(
        SessionFactory factory, DriftMonitorFactory drift, IOptions<ModelHostOptions> options, OnnxRuntimeOptions onnxRuntime, IOptions<BatchingDefaults> batching,
        TimeProvider time, ILogger<ModelHost> logger)
    {
        _factory = factory;
        _drift = drift;
        _options = options.Value;
        _onnxRuntime = onnxRuntime;
        _batching = batching.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>The current snapshot of models and versions.</summary>
    public ModelCatalog Catalog => _catalog;

    /// <inheritdoc />
    public IEnumerable<MonitoredVersion> Monitored()
    {
        foreach (var entry in Catalog.Models)
        {
            foreach (var version in entry.Versions)
            {
                if (version.State is VersionState.Ready or VersionState.Draining)
                {
                    yield return new MonitoredVersion(version.Model, version.VersionText, version.Drift, version.DriftUnavailable);
                }
            }
        }
    }

    /// <summary>
    /// How long until a failed version is due to be loaded again (<see cref="LoadRetry"/>), at most
    /// <paramref name="limit"/>: the registry lifecycle reconciles no later than that.
    /// </summary>
    public TimeSpan UntilNextRetry(TimeSpan limit)
    {
        var due = Interlocked.Read(ref _nextRetryTicks);
        if (due == long.MaxValue)
        {
            return limit;
        }
        var wait = TimeSpan.FromTicks(Math.Max(0, due - _time.GetUtcNow().UtcTicks));
        return wait < limit ? wait : limit;
    }

    /// <summary>True once the first reconcile has loaded (or failed) every version it was given.</summary>
    public bool InitialLoadComplete => _initialLoadComplete;

    /// <summary>
    /// Test hook, null in production: wraps each version's executor before its batcher is built (after
    /// warm-up), so that functional tests can hold a batch at a gate and let requests queue behind it.
    /// Set it before the host starts loading.
    /// </summary>
    internal Func<VersionDescriptor, IBatchExecutor, IBatchExecutor>? ExecutorDecorator { get; set; }

    /// <summary>
    /// Makes the loaded versions equal to <paramref name="desired"/> and the default versions equal to
    /// <paramref name="defaults"/> (model to version). The order keeps every request answered during a
    /// swap: new versions are added (not routable while loading) and loaded; then the defaults switch;
    /// only then do leaving versions stop taking requests and drain. A default whose version failed to
    /// load does not take over: the previous default keeps serving, and stays loaded, until a later
    /// reconcile names a version that loads. A version that failed to load is loaded again (from the file
    /// as it is then) by the first reconcile after its <see cref="LoadRetry"/> back-off.
    /// </summary>
    public async Task ReconcileAsync(IReadOnlyList<VersionDescriptor> desired, IReadOnlyDictionary<string, int> defaults, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var wanted = new HashSet<(string, int)>();
            var toLoad = new List<LoadedVersion>();
            foreach (var descriptor in desired)
            {
                var key = (descriptor.Model, descriptor.Version);
                wanted.Add(key);
                if (!_versions.TryGetValue(key, out var existing)
                    || (existing.State == VersionState.Failed && _retries.TryGetValue(key, out var retry) && retry.IsDue(now)))
                {
                    var version = new LoadedVersion(descriptor);
                    _versions[key] = version;
                    toLoad.Add(version);
                }
            }
            Publish();
            foreach (var version in toLoad)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Load(version);
                RecordOutcome(version);
                Publish();
            }

            var effective = new Dictionary<string, int>(defaults, StringComparer.Ordinal);
            foreach (var (model, number) in defaults)
            {
                var ready = _versions.TryGetValue((model, number), out var target) && target.State == VersionState.Ready;
                if (!ready && _defaults.TryGetValue(model, out var previous) && previous != number
                    && _versions.TryGetValue((model, previous), out var old) && old.State == VersionState.Ready)
                {
                    effective[model] = previous;
                    wanted.Add((model, previous));
                    LogKeptPrevious(_logger, model, number, previous);
                }
            }
            var leaving = new List<LoadedVersion>();
            foreach (var (key, version) in _versions)
            {
                if (!wanted.Contains(key))
                {
                    leaving.Add(version);
                }
            }
            foreach (var version in leaving)
            {
                _versions.Remove((version.Model, version.Version));
                _retries.Remove((version.Model, version.Version));
            }
            _defaults = effective;
            _requestedDefaults = new Dictionary<string, int>(defaults, StringComparer.Ordinal);
            PublishProductionServing();
            Publish();
            ScheduleNextRetry();
            foreach (var version in leaving)
            {
                LogUnloading(_logger, version.Model, version.Version, version.InFlight);
                var inFlight = version.InFlight;
                if (!await version.DrainAndUnloadAsync(_options.DrainTimeout).ConfigureAwait(false))
                {
                    LogDrainTimeout(_logger, version.Model, version.Version, inFlight, _options.DrainTimeout.TotalSeconds);
                }
            }
        }
        finally
        {
            _initialLoadComplete = true;
            _gate.Release();
        }
    }

    private void Publish() => _catalog = new ModelCatalog([.. _versions.Values], _defaults, _requestedDefaults);

    /// <summary>Starts or clears the back-off of a version that was just loaded.</summary>
    private void RecordOutcome(LoadedVersion version)
    {
        var key = (version.Model, version.Version);
        if (version.State != VersionState.Failed)
        {
            _retries.Remove(key);
            return;
        }
        var retry = (_retries.TryGetValue(key, out var previous) ? previous : LoadRetry.None).Next(_time.GetUtcNow());
        _retries[key] = retry;
        LogRetryScheduled(_logger, version.Model, version.Version, retry.Failures, retry.Delay.TotalSeconds);
    }

    private void ScheduleNextRetry()
    {
        var next = long.MaxValue;
        foreach (var retry in _retries.Values)
        {
            next = Math.Min(next, retry.DueAt.UtcTicks);
        }
        Interlocked.Exchange(ref _nextRetryTicks, next);
    }

    private void PublishProductionServing()
    {
        foreach (var (model, production) in _requestedDefaults)
        {
            var serving = _defaults.TryGetValue(model, out var effective) && effective == production
                && _versions.TryGetValue((model, production), out var version) && version.State == VersionState.Ready;
            ProductionServing.WithLabels(model).Set(serving ? 1 : 0);
        }
    }

    private void Load(LoadedVersion version)
    {
        var started = Stopwatch.GetTimestamp();
        var descriptor = version.Descriptor;
        if (descriptor.ExpectedSha256 is { } expected && Sha256Of(descriptor.ModelPath) is var actual && !string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            var mismatch = $"The artifact {descriptor.ModelPath} does not match the registry: sha256 is {actual ?? "unreadable"}, the registry recorded {expected}. Not loaded.";
            version.MarkFailed(mismatch, "The model file does not match the checksum the registry recorded.");
            LogLoadFailed(_logger, descriptor.Model, descriptor.Version, mismatch);
            return;
        }
        var created = _factory.Create(descriptor.Model, descriptor.Version, descriptor.ModelPath);
        if (created.Error is not null)
        {
            version.MarkFailed(created.Error, created.PublicError ?? created.Error);
            LogLoadFailed(_logger, descriptor.Model, descriptor.Version, created.Error);
            return;
        }
        var session = created.Session!;
        var signature = created.Signature!;
        var batching = BatchingFor(_batching, descriptor.Settings, signature, created.Provider);
        var graphRows = created.Provider == "cuda" && _onnxRuntime.Cuda.Graphs ? batching.MaxBatchRows : 0;
        var executor = new OrtBatchExecutor(session, signature, created.Provider == "cuda" ? _onnxRuntime.CudaDeviceId : null, descriptor.Model, descriptor.Version, graphRows);
        if (executor.PinnedHostUnavailable is { } pinnedError)
        {
            LogNoPinnedHost(_logger, descriptor.Model, descriptor.Version, pinnedError);
        }
        string? reason = null, publicReason = null;
        if (executor.GraphsUnavailable is { } graphsError)
        {
            (reason, publicReason) = ($"{CudaGraphPlan.Setting} is on, but its CUDA graphs could not be captured: {graphsError}", "Its CUDA graphs could not be captured.");
        }
        else if (WarmUp(executor, signature) is { } warmUpError)
        {
            (reason, publicReason) = ("Warm-up inference failed: " + warmUpError, "Its warm-up inference failed.");
        }
        if (reason is not null)
        {
            executor.Dispose();
            session.Dispose();
            created.GpuMemory?.Dispose();
            version.MarkFailed(reason, publicReason!);
            LogLoadFailed(_logger, descriptor.Model, descriptor.Version, reason);
            return;
        }
        var batcher = new DynamicBatcher(ExecutorDecorator?.Invoke(descriptor, executor) ?? executor, batching, version.Metrics,
            $"batcher {descriptor.Model}/{descriptor.Version}");
        // A reference that cannot be used costs the version its monitoring, not its serving.
        var drift = _drift.TryCreate(descriptor, signature, out var driftUnavailable);
        version.DriftUnavailable = driftUnavailable;
        version.MarkReady(session, signature, executor, batcher, drift, created.Provider, created.GpuMemory, _time.GetUtcNow());
        LogLoaded(_logger, descriptor.Model, descriptor.Version, created.Provider, signature.IsBatchable,
            created.FromCache ? "the cached optimized graph" : "the model file", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// A version's batching: its model.json where set, else the gateway's defaults; a version on CUDA waits
    /// <see cref="BatchingDefaults.GpuMaxQueueDelayMicroseconds"/> for a batch to fill unless its model.json says otherwise.
    /// </summary>
    internal static BatchingSettings BatchingFor(BatchingDefaults defaults, ModelSettings settings, ModelSignature signature, string provider)
    {
        var defaultDelayUs = provider == "cuda" ? defaults.GpuMaxQueueDelayMicroseconds : defaults.MaxQueueDelayMicroseconds;
        var delayUs = Math.Max(0, settings.MaxQueueDelayMicroseconds ?? defaultDelayUs);
        return new BatchingSettings
        {
            MaxBatchRows = Math.Max(1, settings.MaxBatchSize ?? defaults.MaxBatchSize),
            MaxQueueDelayTicks = delayUs * Stopwatch.Frequency / 1_000_000,
            MaxQueueSize = Math.Max(1, settings.MaxQueueSize ?? defaults.MaxQueueSize),
            Batchable = signature.IsBatchable && (settings.MaxBatchSize ?? defaults.MaxBatchSize) > 1,
        };
    }

    /// <summary>Runs one all-zero request (dynamic dimensions as 1) so the first real request pays no set-up cost.</summary>
    private static string? WarmUp(OrtBatchExecutor executor, ModelSignature signature)
    {
        var item = InferenceWorkItem.Rent();
        try
        {
            item.Request.Bind(signature);
            item.Result.Bind(signature.Outputs.Count);
            for (var i = 0; i < signature.Inputs.Count; i++)
            {
                var spec = signature.Inputs[i];
                var shape = default(TensorShape);
                long elements = 1;
                foreach (var dim in spec.Shape)
                {
                    var d = dim < 0 ? 1 : dim;
                    shape.TryAdd(d);
                    elements *= d;
                }
                var bytes = new byte[elements * TensorDataTypes.ElementSize(spec.DataType)];
                item.Request.SetInput(i, shape, bytes);
            }
            return executor.Execute([item], item.Rows);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ex.Message;
        }
        finally
        {
            InferenceWorkItem.Return(item);
        }
    }

    private static string? Sha256Of(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var version in _versions.Values)
        {
            version.DrainAndUnloadAsync(TimeSpan.Zero).ContinueWith(static _ => { }, TaskScheduler.Default).Wait();
        }
        _gate.Dispose();
    }

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Loaded {Model} version {Version} on {Provider} (batchable: {Batchable}) from {Source} in {Milliseconds:F0} ms")]
    private static partial void LogLoaded(ILogger logger, string model, int version, string provider, bool batchable, string source, double milliseconds);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Error, Message = "Could not load {Model} version {Version}: {Reason}")]
    private static partial void LogLoadFailed(ILogger logger, string model, int version, string reason);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "Unloading {Model} version {Version} after {InFlight} in-flight requests finish")]
    private static partial void LogUnloading(ILogger logger, string model, int version, int inFlight);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Error, Message = "{Model}: the registry's default version {Wanted} is not ready; version {Previous} keeps serving by default")]
    private static partial void LogKeptPrevious(ILogger logger, string model, int wanted, int previous);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "{Model} version {Version} still had requests in flight ({InFlight} when it started draining) after the {Seconds:F0} s drain timeout; they were cancelled (503) and the version unloaded")]
    private static partial void LogDrainTimeout(ILogger logger, string model, int version, int inFlight, double seconds);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Warning, Message = "{Model} version {Version} failed to load ({Failures} time(s) in a row); loading it again in {Seconds:F0} s")]
    private static partial void LogRetryScheduled(ILogger logger, string model, int version, int failures, double seconds);

    [LoggerMessage(EventId = 1018, Level = LogLevel.Warning, Message = "{Model} version {Version} runs on CUDA without page-locked host buffers (each batch's copies to and from the GPU are staged once more): {Reason}")]
    private static partial void LogNoPinnedHost(ILogger logger, string model, int version, string reason);
}
