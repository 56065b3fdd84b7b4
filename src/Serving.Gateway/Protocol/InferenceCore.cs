using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Prometheus;
using Serving.Core.Rollouts;
using Serving.Gateway.Batching;
using Serving.Gateway.Inference;
using Serving.Gateway.Metrics;
using Serving.Gateway.Outcomes;
using Serving.Gateway.PayloadLog;
using Serving.Gateway.Registry;
using Serving.Gateway.Remote;
using Serving.Gateway.Rollouts;
using Yarp.ReverseProxy.Model;

namespace Serving.Gateway.Protocol;

/// <summary>
/// The transport-independent inference path shared by the REST and gRPC endpoints: resolves the model and
/// version, routes the rollout variant, queues the parsed request on the version's batcher and records the
/// outcome (metrics, drift, rollout analysis, shadow copy). Failures come back as
/// <see cref="InferenceFailure"/> values, counted here once; each transport only parses, encodes and maps
/// <see cref="InferenceError"/> to its status.
/// </summary>
/// <remarks>
/// A request goes <see cref="Route"/> → (transport reads and parses into an <see cref="InferenceWorkItem"/>,
/// checking <see cref="Admit"/> before reading) → <see cref="Enqueue"/> → await the item's completion →
/// <see cref="Completed"/> → (transport writes the answer) → <see cref="Record"/>. Nothing here allocates on
/// success.
/// </remarks>
internal sealed partial class InferenceCore
{
    private static readonly Counter.Child NotFound = ServingMetrics.Requests.WithLabels("", "", "not_found");
    private static readonly Counter.Child TooLargeCount = ServingMetrics.Requests.WithLabels("", "", "too_large");
    private static readonly Counter.Child OverBudgetCount = ServingMetrics.Requests.WithLabels("", "", "over_budget");

    private readonly ModelHost _host;
    private readonly RolloutSyncService _rollouts;
    private readonly ShadowDispatcher _shadows;
    private readonly WorkerPool _workers;
    private readonly AliasTable _aliases;
    private readonly ILogger<InferenceCore> _logger;
    private readonly LogThrottle _faultLog;
    private readonly PredictionLog? _predictions;
    private readonly PayloadLogger _payloads;
    private readonly bool _trustsForwardedVariant;

    public InferenceCore(ModelHost host, RolloutSyncService rollouts, ShadowDispatcher shadows, WorkerPool workers, AliasTable aliases,
        PayloadLogger payloads, IOptions<RemoteOptions> options, ILogger<InferenceCore> logger, TimeProvider time, PredictionLog? predictions = null)
    {
        _trustsForwardedVariant = options.Value.Role == ServingRole.Worker;
        // Registered only when some model has outcomes enabled (OutcomeServiceCollectionExtensions).
        _predictions = predictions;
        _payloads = payloads;
        _logger = logger;
        _faultLog = new LogThrottle(time, TimeSpan.FromSeconds(1));
        _host = host;
        _rollouts = rollouts;
        _shadows = shadows;
        _workers = workers;
        _aliases = aliases;
    }

    /// <summary>
    /// Routes a request for <paramref name="modelName"/> at <paramref name="versionText"/> (a number or a
    /// registry alias; empty: the rollout's pick or the default version). A local route holds its version: release it when done.
    /// </summary>
    public InferenceRoute Route<THeaders>(ReadOnlySpan<char> modelName, ReadOnlySpan<char> versionText, in THeaders headers)
        where THeaders : struct, IRoutingHeaders
    {
        if (!_host.Catalog.TryGetModel(modelName, out var servedModel))
        {
            if (_workers.HasWorkers && _workers.TryGetCluster(modelName, out var cluster))
            {
                // Not hosted here: a worker answers, at the version this process's router picks.
                return RouteRemote(cluster, modelName.ToString(), versionText, headers);
            }
            NotFound.Inc();
            return InferenceRoute.Fail(InferenceError.ModelNotFound, $"Unknown model '{modelName}'.");
        }
        var route = versionText.IsEmpty && _rollouts.Table.TryGet(modelName, out var rollout) && rollout.Policy.RoutesRequests()
            ? RouteByRollout(servedModel, rollout, headers)
            : Resolve(servedModel, versionText, _trustsForwardedVariant ? ForwardedVariant.Parse(headers.Get(ForwardedVariant.Header)) : RouteVariant.Default);
        if (route.Failure.Error == InferenceError.VersionNotFound)
        {
            if (_workers.HasWorkers && _workers.TryGetCluster(servedModel.Name, out var cluster))
            {
                // A version named in the request that is not loaded here may be hosted by a worker.
                return InferenceRoute.Remote(cluster, servedModel.Name, versionText.ToString(), RouteVariant.Default, null);
            }
            NotFound.Inc();
        }
        return route;
    }

    /// <summary>Whether <paramref name="version"/>'s queue has room: checked before reading a body, so that overload costs no parsing.</summary>
    public static InferenceFailure Admit(LoadedVersion version) =>
        version.Batcher!.IsFull ? Overloaded(version) : default;

    /// <summary>
    /// Like <see cref="Admit"/>, but a request that finds the queue full (or others waiting before it) waits
    /// for room, unread, for at most <see cref="RequestLimits.AdmissionWait"/> and behind at most
    /// <see cref="RequestLimits.MaxWaitingRequests"/> others; only then is it refused. Synchronous and
    /// allocation-free when there is room.
    /// </summary>
    public static ValueTask<InferenceFailure> AdmitOrWaitAsync(LoadedVersion version, RequestLimits limits, CancellationToken aborted)
    {
        var batcher = version.Batcher!;
        if (batcher.HasRoomNow)
        {
            return ValueTask.FromResult(default(InferenceFailure));
        }
        if (limits.AdmissionWait <= TimeSpan.Zero || limits.MaxWaitingRequests <= 0)
        {
            return ValueTask.FromResult(Admit(version));
        }
        return WaitAsync(version, limits, aborted);

        static async ValueTask<InferenceFailure> WaitAsync(LoadedVersion version, RequestLimits limits, CancellationToken aborted)
        {
            version.Metrics.Waiting.Inc();
            try
            {
                return await version.Batcher!.WaitForRoomAsync(limits.MaxWaitingRequests, limits.AdmissionWait, aborted) ? default : Overloaded(version);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                return Cancelled(version);
            }
            finally
            {
                version.Metrics.Waiting.Dec();
            }
        }
    }

    /// <summary>Queues <paramref name="item"/> (parsed and bound to the version's signature) on the route's version.</summary>
    public static InferenceFailure Enqueue(in InferenceRoute route, InferenceWorkItem item, CancellationToken aborted)
    {
        var version = route.Version!;
        item.Result.Bind(version.Signature!.Outputs.Count);
        item.Aborted = aborted;
        return version.Batcher!.TryEnqueue(item) ? default : Overloaded(version);
    }

    /// <summary>
    /// The outcome of a queued item once its completion is signalled; a failed run counts against the
    /// rollout variant. What ONNX Runtime said goes to the log (at most a line a second), never to the
    /// client: it names the server's internals.
    /// </summary>
    public InferenceFailure Completed(in InferenceRoute route, InferenceWorkItem item, WorkStatus status, long started)
    {
        var version = route.Version!;
        if (status == WorkStatus.Cancelled && !item.Aborted.IsCancellationRequested
            || status == WorkStatus.Failed && version.InFlightCancelled)
        {
            // The version was unloaded past its drain timeout while the request was queued or running.
            version.Metrics.Unavailable.Inc();
            return new InferenceFailure(InferenceError.Unavailable, NotReadyMessage(version));
        }
        switch (status)
        {
            case WorkStatus.Cancelled:
                version.Metrics.Cancelled.Inc();
                return new InferenceFailure(InferenceError.Cancelled, "The client went away.");
            case WorkStatus.InvalidInput:
                if (_faultLog.TryEnter(out var held))
                {
                    LogInvalidInput(_logger, version.Model, version.Version, item.Error, held);
                }
                return Invalid(version,
                    $"Version {version.Version} of model '{version.Model}' refused the input values: one is outside what the model accepts (for example an index past the end of a lookup table).");
            case WorkStatus.Failed:
                version.Metrics.Error.Inc();
                RecordRollout(route, item, Stopwatch.GetElapsedTime(started).TotalSeconds, error: true);
                if (_faultLog.TryEnter(out var suppressed))
                {
                    LogInferenceFailed(_logger, version.Model, version.Version, item.Error, suppressed);
                }
                return new InferenceFailure(InferenceError.Failed,
                    $"Version {version.Version} of model '{version.Model}' failed to compute this request; the server log has the details.");
            default:
                return default;
        }
    }

    /// <summary>A body the request buffer budget had no room for.</summary>
    public static InferenceFailure OverBudget(string message)
    {
        OverBudgetCount.Inc();
        return new InferenceFailure(InferenceError.OverBudget, message);
    }

    /// <summary>A body that arrived slower than the minimum body rate, counted as a bad request.</summary>
    public static InferenceFailure TooSlow(LoadedVersion version, string message)
    {
        version.Metrics.BadRequest.Inc();
        return new InferenceFailure(InferenceError.TooSlow, message);
    }

    /// <summary>
    /// Records an answered request, after its response is on its way: lock-free counter updates, the drift
    /// window, a sampled payload log record and a queued shadow copy, no waiting.
    /// </summary>
    public void Record(in InferenceRoute route, InferenceWorkItem item, long started)
    {
        var version = route.Version!;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        version.Metrics.Ok.Inc();
        version.Metrics.RequestDuration.Observe(seconds);
        version.Drift?.Record(item);
        _predictions?.Record(version, route.Variant, item);
        _payloads.Offer(version, route.Variant, item, seconds);
        if (route.Rollout is { } rollout)
        {
            RecordRollout(route, item, seconds, error: false);
            if (route.Shadow is { } shadow && !ReferenceEquals(shadow, version))
            {
                _shadows.Dispatch(rollout, shadow, version, item);
            }
        }
    }

    /// <summary>
    /// Records a request a worker answered: rollout analysis on this process sees the error rate and
    /// latency of remote variants (their predictions stay on the worker).
    /// </summary>
    public static void RecordRemote(in InferenceRoute route, bool failed, long started) =>
        route.Rollout?.RecorderFor(route.Variant)?.RecordRequest(failed, Stopwatch.GetElapsedTime(started).TotalSeconds, ReadOnlySpan<float>.Empty);

    /// <summary>A request the transport refused as malformed, counted against <paramref name="version"/>.</summary>
    public static InferenceFailure Invalid(LoadedVersion version, string message)
    {
        version.Metrics.BadRequest.Inc();
        return new InferenceFailure(InferenceError.InvalidRequest, message);
    }

    /// <summary>A request the transport refused for its size.</summary>
    public static InferenceFailure TooLarge(string message)
    {
        TooLargeCount.Inc();
        return new InferenceFailure(InferenceError.TooLarge, message);
    }

    /// <summary>A request whose client went away while it was being read.</summary>
    public static InferenceFailure Cancelled(LoadedVersion version)
    {
        version.Metrics.Cancelled.Inc();
        return new InferenceFailure(InferenceError.Cancelled, "The client went away.");
    }

    /// <summary>
    /// Finds a model and, when <paramref name="versionText"/> is not empty, its version (a number or an
    /// alias) without holding it: for metadata and readiness.
    /// </summary>
    public InferenceFailure Find(ReadOnlySpan<char> modelName, ReadOnlySpan<char> versionText, out ServedModel? servedModel, out LoadedVersion? version)
    {
        version = null;
        if (!_host.Catalog.TryGetModel(modelName, out var found))
        {
            servedModel = null;
            return new InferenceFailure(InferenceError.ModelNotFound, $"Unknown model '{modelName}'.");
        }
        servedModel = found;
        if (versionText.IsEmpty)
        {
            return default;
        }
        version = FindVersion(found, versionText);
        return version is null ? new InferenceFailure(InferenceError.VersionNotFound, NoVersionMessage(found.Name, versionText)) : default;
    }

    /// <summary>The version <paramref name="versionText"/> names: a number, or else a registry alias.</summary>
    private LoadedVersion? FindVersion(ServedModel servedModel, ReadOnlySpan<char> versionText)
    {
        if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && !_aliases.TryResolve(servedModel.Name, versionText, out number))
        {
            return null;
        }
        return servedModel.Find(number);
    }

    private static string NoVersionMessage(string model, ReadOnlySpan<char> versionText) =>
        $"Model '{model}' has no version '{versionText}' (neither a version number nor an alias).";

    /// <summary>Why a version cannot answer, as an error: a failed load is not worth retrying soon.</summary>
    private static InferenceError UnavailableError(LoadedVersion version) =>
        version.State == VersionState.Failed ? InferenceError.LoadFailed : InferenceError.Unavailable;

    internal static string NotReadyMessage(LoadedVersion version) => version.State switch
    {
        VersionState.Failed => $"Version {version.Version} of model '{version.Model}' failed to load: {version.PublicFailureReason}",
        VersionState.Loading => $"Version {version.Version} of model '{version.Model}' is still loading.",
        _ => $"Version {version.Version} of model '{version.Model}' is {version.State.ToString().ToLowerInvariant()} and takes no requests.",
    };

    /// <summary>Finds and holds the version that answers, as <paramref name="variant"/>.</summary>
    private InferenceRoute Resolve(ServedModel servedModel, ReadOnlySpan<char> versionText, RouteVariant variant)
    {
        if (versionText.IsEmpty)
        {
            // A version can leave between the lookup and the hold (a swap under load): look again.
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var candidate = servedModel.DefaultVersion();
                if (candidate is null)
                {
                    break;
                }
                if (candidate.TryAcquire())
                {
                    return InferenceRoute.Local(candidate, variant, null, null);
                }
                _host.Catalog.TryGetModel(servedModel.Name, out servedModel);
                if (servedModel is null)
                {
                    break;
                }
            }
            return InferenceRoute.Fail(servedModel is not null && servedModel.DefaultFailed() ? InferenceError.LoadFailed : InferenceError.Unavailable,
                servedModel?.Unavailable() ?? "The model is no longer served.");
        }
        var version = FindVersion(servedModel, versionText);
        if (version is null)
        {
            return InferenceRoute.Fail(InferenceError.VersionNotFound,
                int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                    ? $"Model '{servedModel.Name}' has no version {number}."
                    : NoVersionMessage(servedModel.Name, versionText));
        }
        if (!version.TryAcquire())
        {
            version.Metrics.Unavailable.Inc();
            return InferenceRoute.Fail(UnavailableError(version), NotReadyMessage(version));
        }
        return InferenceRoute.Local(version, variant, null, null);
    }

    /// <summary>
    /// Picks the variant for a request under a rollout (weights, sticky routing key, preview header) and
    /// holds its version. A variant whose version cannot answer here never fails the request: a canary or
    /// preview falls back to the stable or active version, and any variant to the version that answers the
    /// model's default traffic (the registry's Production version, or the last one that served), counted in
    /// serving_routing_fallbacks_total.
    /// </summary>
    private static InferenceRoute RouteByRollout<THeaders>(ServedModel servedModel, RolloutRuntime rollout, in THeaders headers)
        where THeaders : struct, IRoutingHeaders
    {
        var policy = rollout.Policy;
        var decision = Decide(policy, headers);
        var shadow = decision.ShouldShadow ? servedModel.Find(decision.ShadowVersion) : null;
        var target = decision.Version == 0 ? servedModel.DefaultVersion() : servedModel.Find(decision.Version);
        if (target is not null && target.TryAcquire())
        {
            return InferenceRoute.Local(target, decision.Variant, rollout, shadow);
        }
        var (fallbackVariant, fallbackNumber) = decision.Variant switch
        {
            RouteVariant.Canary => (RouteVariant.Stable, policy.Canary!.StableVersion),
            RouteVariant.Preview => (RouteVariant.Active, policy.BlueGreen!.ActiveVersion),
            _ => (decision.Variant, 0),
        };
        var fallback = fallbackNumber == 0 ? null : servedModel.Find(fallbackNumber);
        if (fallback is not null && fallback.TryAcquire())
        {
            rollout.CountFallback(target is not null);
            return InferenceRoute.Local(fallback, fallbackVariant, rollout, shadow);
        }
        var served = servedModel.DefaultVersion();
        if (served is not null && served.TryAcquire())
        {
            rollout.CountFallback((fallback ?? target) is not null);
            return InferenceRoute.Local(served, RouteVariant.Default, rollout, shadow);
        }
        var wanted = target ?? fallback;
        return InferenceRoute.Fail(wanted is null ? InferenceError.Unavailable : UnavailableError(wanted), wanted is null
            ? $"The rollout of model '{servedModel.Name}' routes to version {decision.Version}, which is not loaded."
            : NotReadyMessage(wanted));
    }

    /// <summary>
    /// The worker route for a model this process does not host: the version named in the request, or the
    /// one the rollout picks (unless no worker loads it), or the registry's default; with none known, the
    /// worker's own default.
    /// </summary>
    private InferenceRoute RouteRemote<THeaders>(ClusterState cluster, string model, ReadOnlySpan<char> versionText, in THeaders headers)
        where THeaders : struct, IRoutingHeaders
    {
        if (!versionText.IsEmpty)
        {
            return InferenceRoute.Remote(cluster, model, versionText.ToString(), RouteVariant.Default, null);
        }
        var number = 0;
        var variant = RouteVariant.Default;
        RolloutRuntime? runtime = null;
        if (_rollouts.Table.TryGet(model, out var rollout) && rollout.Policy.RoutesRequests())
        {
            var decision = Decide(rollout.Policy, headers);
            number = decision.Version;
            variant = decision.Variant;
            runtime = rollout;
            if (number != 0 && !_workers.IsLoadedByWorkers(model, number))
            {
                // No worker loads the variant's version (it left Staging and Production): the default answers.
                rollout.CountFallback(loaded: false);
                (number, variant) = (0, RouteVariant.Default);
            }
        }
        if (number == 0 && !_workers.TryGetDefault(model, out number))
        {
            return InferenceRoute.Remote(cluster, model, null, variant, runtime);
        }
        return InferenceRoute.Remote(cluster, model, number.ToString(CultureInfo.InvariantCulture), variant, runtime);
    }

    private static RouteDecision Decide<THeaders>(RolloutPolicy policy, in THeaders headers)
        where THeaders : struct, IRoutingHeaders
    {
        var preview = policy.BlueGreen is { } blueGreen && VariantRouter.IsPreviewRequested(headers.Get(blueGreen.PreviewHeader));
        return VariantRouter.Shared.Route(policy, headers.Get(policy.RoutingKeyHeader), preview);
    }

    private static InferenceFailure Overloaded(LoadedVersion version)
    {
        version.Metrics.Overloaded.Inc();
        version.Metrics.Rejections.Inc();
        return new InferenceFailure(InferenceError.Overloaded,
            $"Version {version.Version} of model '{version.Model}' is overloaded ({version.Batcher!.Depth} requests queued); retry later.");
    }

    private static void RecordRollout(in InferenceRoute route, InferenceWorkItem item, double seconds, bool error)
    {
        if (route.Rollout is not { } rollout)
        {
            return;
        }
        var version = route.Version!;
        var variantMetrics = version.ForVariant((int)route.Variant, VariantNames.Of(route.Variant));
        (error ? variantMetrics.Error : variantMetrics.Ok).Inc();
        variantMetrics.Duration.Observe(seconds);
        var predictions = !error && version.PredictionOutput >= 0
            ? MemoryMarshal.Cast<byte, float>(item.Result.Outputs[version.PredictionOutput].Bytes)
            : ReadOnlySpan<float>.Empty;
        rollout.RecorderFor(route.Variant)?.RecordRequest(error, seconds, predictions);
    }
}
