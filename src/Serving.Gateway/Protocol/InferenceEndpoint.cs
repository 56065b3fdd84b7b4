using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Prometheus;
using System.Runtime.InteropServices;
using Serving.Core.Protocol;
using Serving.Core.Rollouts;
using Serving.Gateway.Batching;
using Serving.Gateway.Hosting;
using Serving.Gateway.Inference;
using Serving.Gateway.Metrics;
using Serving.Gateway.Remote;
using Serving.Gateway.Rollouts;

namespace Serving.Gateway.Protocol;

/// <summary>
/// <c>POST /v2/models/{m}[/versions/{v}]/infer</c>: the request path. It is a terminal middleware rather
/// than a routed endpoint so that matching the path allocates nothing; the body is read from the
/// PipeReader and parsed in place into pooled tensors, queued on the version's batcher, and the
/// response encoded into the work item's reusable buffer.
/// </summary>
internal sealed partial class InferenceEndpoint
{
    private const string JsonContentType = "application/json";
    private const string BinaryContentType = "application/octet-stream";
    private static readonly Counter.Child NotFound = ServingMetrics.Requests.WithLabels("", "", "not_found");
    private static readonly Counter.Child TooLarge = ServingMetrics.Requests.WithLabels("", "", "too_large");
    private static readonly Counter.Child OverBudget = ServingMetrics.Requests.WithLabels("", "", "over_budget");

    private readonly ModelHost _host;
    private readonly RolloutSyncService _rollouts;
    private readonly ShadowDispatcher _shadows;
    private readonly WorkerPool _workers;
    private readonly RemoteForwarder _forwarder;
    private readonly long _maxBody;
    private readonly RequestBodyReader _bodies;
    private readonly ILogger<InferenceEndpoint> _logger;
    private readonly LogThrottle _faultLog;

    public InferenceEndpoint(ModelHost host, RolloutSyncService rollouts, ShadowDispatcher shadows, WorkerPool workers, RemoteForwarder forwarder, IOptions<ServingOptions> options,
        RequestBodyReader bodies, ILogger<InferenceEndpoint> logger, TimeProvider time)
    {
        _bodies = bodies;
        _logger = logger;
        _faultLog = new LogThrottle(time, TimeSpan.FromSeconds(1));
        _host = host;
        _rollouts = rollouts;
        _shadows = shadows;
        _workers = workers;
        _forwarder = forwarder;
        _maxBody = options.Value.MaxRequestBodyBytes;
    }

    /// <summary>How a request was routed: the variant that answers, its rollout, and the version that gets a shadow copy.</summary>
    private readonly record struct Route(RouteVariant Variant, RolloutRuntime? Rollout, ModelVersion? Shadow);

    /// <summary>Whether <paramref name="path"/> is an infer route; gives the model and optional version segments.</summary>
    public static bool TryMatch(ReadOnlySpan<char> path, out Range model, out Range version)
    {
        model = default;
        version = default;
        const string prefix = "/v2/models/";
        const string suffix = "/infer";
        if (path.Length <= prefix.Length + suffix.Length || !path.StartsWith(prefix, StringComparison.Ordinal) || !path.EndsWith(suffix, StringComparison.Ordinal))
        {
            // Too short to hold a model name between the two ("/v2/models/infer": they overlap).
            return false;
        }
        var middle = path[prefix.Length..^suffix.Length];
        var slash = middle.IndexOf('/');
        if (slash < 0)
        {
            model = new Range(prefix.Length, prefix.Length + middle.Length);
            return middle.Length > 0;
        }
        var rest = middle[(slash + 1)..];
        const string versions = "versions/";
        if (slash == 0 || !rest.StartsWith(versions, StringComparison.Ordinal) || rest.Length == versions.Length || rest[versions.Length..].Contains('/'))
        {
            return false;
        }
        model = new Range(prefix.Length, prefix.Length + slash);
        version = new Range(prefix.Length + slash + 1 + versions.Length, prefix.Length + middle.Length);
        return true;
    }

    public async Task HandleAsync(HttpContext context, Range modelRange, Range versionRange)
    {
        var started = Stopwatch.GetTimestamp();
        var path = context.Request.Path.Value!;
        var modelName = path.AsSpan()[modelRange];
        if (!_host.Catalog.TryGetModel(modelName, out var entry))
        {
            if (_workers.HasWorkers && _workers.TryGetCluster(modelName, out var cluster))
            {
                // Not hosted here: a worker answers, at the version this process's router picks.
                var remoteModel = modelName.ToString();
                var (remotePath, variant, remoteRollout) = RouteRemote(context, remoteModel, path.AsSpan()[versionRange]);
                await ForwardAsync(context, cluster, remoteModel, remotePath, variant, remoteRollout, started);
                return;
            }
            NotFound.Inc();
            await ProtocolErrors.WriteAsync(context, StatusCodes.Status404NotFound, $"Unknown model '{modelName}'.");
            return;
        }
        var route = default(Route);
        ModelVersion? version;
        string? error;
        int status;
        if (versionRange.Start.Equals(versionRange.End) && _rollouts.Table.TryGet(modelName, out var rollout) && rollout.Policy.Mode != RolloutMode.None)
        {
            (version, route, error, status) = RouteByRollout(context, entry, rollout);
        }
        else
        {
            (version, error, status) = Resolve(entry, path.AsSpan()[versionRange]);
        }
        if (version is null)
        {
            if (status == StatusCodes.Status404NotFound && _workers.HasWorkers && _workers.TryGetCluster(entry.Name, out var cluster))
            {
                // A version named in the path that is not loaded here may be hosted by a worker.
                var remotePath = $"/v2/models/{entry.Name}/versions/{path.AsSpan()[versionRange]}/infer";
                await ForwardAsync(context, cluster, entry.Name, remotePath, RouteVariant.Default, null, started);
                return;
            }
            if (status == StatusCodes.Status404NotFound)
            {
                NotFound.Inc();
            }
            await ProtocolErrors.WriteAsync(context, status, error!, retryAfter: status == StatusCodes.Status503ServiceUnavailable && !IsPermanent(entry, path.AsSpan()[versionRange]));
            return;
        }
        try
        {
            await InferAsync(context, version, started, route);
        }
        finally
        {
            version.Release();
        }
    }

    /// <summary>Finds and holds the version that answers; on failure gives the error and status.</summary>
    private (ModelVersion? Version, string? Error, int Status) Resolve(ModelEntry entry, ReadOnlySpan<char> versionText)
    {
        if (versionText.IsEmpty)
        {
            // A version can leave between the lookup and the hold (a swap under load): look again.
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var candidate = entry.DefaultVersion();
                if (candidate is null)
                {
                    break;
                }
                if (candidate.TryAcquire())
                {
                    return (candidate, null, 0);
                }
                _host.Catalog.TryGetModel(entry.Name, out entry);
                if (entry is null)
                {
                    break;
                }
            }
            return (null, entry?.Unavailable() ?? "The model is no longer served.", StatusCodes.Status503ServiceUnavailable);
        }
        if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return (null, $"Model '{entry.Name}' has no version '{versionText}'.", StatusCodes.Status404NotFound);
        }
        var version = entry.Find(number);
        if (version is null)
        {
            return (null, $"Model '{entry.Name}' has no version {number}.", StatusCodes.Status404NotFound);
        }
        if (!version.TryAcquire())
        {
            version.Metrics.Unavailable.Inc();
            return (null, NotReadyMessage(version), StatusCodes.Status503ServiceUnavailable);
        }
        return (version, null, 0);
    }

    /// <summary>
    /// Picks the variant for a request under a rollout (weights, sticky routing key, preview header) and
    /// holds its version. A canary or preview that is not ready falls back to the stable or active
    /// version, so users are served whatever state the candidate is in.
    /// </summary>
    private (ModelVersion? Version, Route Route, string? Error, int Status) RouteByRollout(HttpContext context, ModelEntry entry, RolloutRuntime rollout)
    {
        var policy = rollout.Policy;
        var headers = context.Request.Headers;
        var key = headers[policy.RoutingKeyHeader].ToString();
        var preview = policy.BlueGreen is { } blueGreen && VariantRouter.IsPreviewRequested(headers[blueGreen.PreviewHeader].ToString());
        var decision = VariantRouter.Shared.Route(policy, key, preview);
        var shadow = decision.ShouldShadow ? entry.Find(decision.ShadowVersion) : null;
        var target = decision.Version == 0 ? entry.DefaultVersion() : entry.Find(decision.Version);
        if (target is not null && target.TryAcquire())
        {
            return (target, new Route(decision.Variant, rollout, shadow), null, 0);
        }
        var (fallbackVariant, fallbackNumber) = decision.Variant switch
        {
            RouteVariant.Canary => (RouteVariant.Stable, policy.Canary!.StableVersion),
            RouteVariant.Preview => (RouteVariant.Active, policy.BlueGreen!.ActiveVersion),
            _ => (decision.Variant, 0),
        };
        var fallback = fallbackNumber == 0 ? null : entry.Find(fallbackNumber);
        if (fallback is not null && fallback.TryAcquire())
        {
            return (fallback, new Route(fallbackVariant, rollout, shadow), null, 0);
        }
        var wanted = target ?? fallback;
        return (null, default, wanted is null
            ? $"The rollout of model '{entry.Name}' routes to version {decision.Version}, which is not loaded."
            : NotReadyMessage(wanted), StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// The worker path for a model this process does not host: the version named in the request, or the
    /// one the rollout picks, or the registry's default; with none known, the worker's own default.
    /// </summary>
    private (string Path, RouteVariant Variant, RolloutRuntime? Rollout) RouteRemote(HttpContext context, string model, ReadOnlySpan<char> versionText)
    {
        if (!versionText.IsEmpty)
        {
            return ($"/v2/models/{model}/versions/{versionText}/infer", RouteVariant.Default, null);
        }
        var number = 0;
        var variant = RouteVariant.Default;
        RolloutRuntime? runtime = null;
        if (_rollouts.Table.TryGet(model, out var rollout) && rollout.Policy.Mode != RolloutMode.None)
        {
            var policy = rollout.Policy;
            var headers = context.Request.Headers;
            var preview = policy.BlueGreen is { } blueGreen && VariantRouter.IsPreviewRequested(headers[blueGreen.PreviewHeader].ToString());
            var decision = VariantRouter.Shared.Route(policy, headers[policy.RoutingKeyHeader].ToString(), preview);
            number = decision.Version;
            variant = decision.Variant;
            runtime = rollout;
        }
        if (number == 0 && !_workers.TryGetDefault(model, out number))
        {
            return ($"/v2/models/{model}/infer", variant, runtime);
        }
        return ($"/v2/models/{model}/versions/{number.ToString(CultureInfo.InvariantCulture)}/infer", variant, runtime);
    }

    private async Task ForwardAsync(HttpContext context, WorkerCluster cluster, string model, string path, RouteVariant variant, RolloutRuntime? rollout, long started)
    {
        var answered = await _forwarder.ForwardAsync(context, cluster, model, path, VariantNames.Of(variant));
        // Rollout analysis on this process sees the error rate and latency of remote variants (their
        // predictions stay on the worker).
        rollout?.RecorderFor(variant)?.RecordRequest(!answered, Stopwatch.GetElapsedTime(started).TotalSeconds, ReadOnlySpan<float>.Empty);
    }

    /// <summary>
    /// Whether the version a refused request asked for (the one named, else the default) failed to load:
    /// retrying cannot help until it is loaded again, so its 503 carries no Retry-After.
    /// </summary>
    private static bool IsPermanent(ModelEntry entry, ReadOnlySpan<char> versionText)
    {
        if (versionText.IsEmpty)
        {
            return entry.DefaultFailed();
        }
        return int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && entry.Find(number) is { State: VersionState.Failed };
    }

    internal static string NotReadyMessage(ModelVersion version) => version.State switch
    {
        VersionState.Failed => $"Version {version.Version} of model '{version.Model}' failed to load: {version.PublicFailureReason}",
        VersionState.Loading => $"Version {version.Version} of model '{version.Model}' is still loading.",
        _ => $"Version {version.Version} of model '{version.Model}' is {version.State.ToString().ToLowerInvariant()} and takes no requests.",
    };

    private async Task InferAsync(HttpContext context, ModelVersion version, long started, Route route)
    {
        var request = context.Request;
        var metrics = version.Metrics;
        if (request.ContentLength > _maxBody)
        {
            TooLarge.Inc();
            // The body stays unread, so Kestrel closes the connection after this response; say so, or the
            // client reuses the connection for its next request and sees it cut off.
            context.Response.Headers.Connection = "close";
            await ProtocolErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The request body ({request.ContentLength} bytes) exceeds the limit of {_maxBody} bytes.");
            return;
        }
        if (version.Batcher!.IsFull)
        {
            // Refuse before reading or parsing the body: under overload every cycle spent on a request
            // that cannot be queued is taken from the ones that can.
            await RefuseOverloadedAsync(context, version, bodyUnread: true);
            return;
        }
        long headerLength = -1;
        if (request.Headers.TryGetValue("Inference-Header-Content-Length", out var headerValue))
        {
            if (!long.TryParse(headerValue.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out headerLength))
            {
                metrics.BadRequest.Inc();
                await ProtocolErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "Inference-Header-Content-Length must be a non-negative integer.");
                return;
            }
        }

        var reader = request.BodyReader;
        var body = await _bodies.ReadAsync(request, context.RequestAborted);
        if (body.Status != BodyReadStatus.Complete)
        {
            await RefuseBodyAsync(context, metrics, body);
            return;
        }
        var read = body.Read;

        var item = InferenceWorkItem.Rent();
        try
        {
            var signature = version.Signature!;
            item.Request.Bind(signature);
            string? parseError;
            try
            {
                parseError = InferenceRequestParser.Parse(read.Buffer, headerLength, item.Request);
            }
            finally
            {
                // Every tensor now lives in pooled buffers of its own: hand the connection's memory back.
                reader.AdvanceTo(read.Buffer.End);
                _bodies.Release(body.Reserved);
            }
            if (parseError is not null)
            {
                metrics.BadRequest.Inc();
                await ProtocolErrors.WriteAsync(context, StatusCodes.Status400BadRequest, parseError);
                return;
            }
            item.Result.Bind(signature.Outputs.Count);
            item.Aborted = context.RequestAborted;
            if (!version.Batcher!.TryEnqueue(item))
            {
                await RefuseOverloadedAsync(context, version, bodyUnread: false);
                return;
            }
            var status = await item.Completion;
            if (status != WorkStatus.Completed)
            {
                await RefuseWorkAsync(context, version, route, item, status, started);
                return;
            }
            await WriteResponseAsync(context, version, item, VariantNames.Of(route.Variant));
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            metrics.Ok.Inc();
            metrics.RequestDuration.Observe(seconds);
            // After the response is on its way: lock-free counter updates and a queued shadow copy, no waiting.
            version.Drift?.Record(item);
            if (route.Rollout is { } rollout)
            {
                RecordRollout(version, route, item, seconds, error: false);
                if (route.Shadow is { } shadow && !ReferenceEquals(shadow, version))
                {
                    _shadows.Dispatch(rollout, shadow, version, item);
                }
            }
        }
        finally
        {
            InferenceWorkItem.Return(item);
        }
    }

    /// <summary>
    /// 503 with Retry-After for a version whose queue is full, counted as overloaded. A large body that
    /// was never read closes the connection: Kestrel would otherwise receive all of it only to discard it.
    /// </summary>
    private Task RefuseOverloadedAsync(HttpContext context, ModelVersion version, bool bodyUnread)
    {
        version.Metrics.Overloaded.Inc();
        version.Metrics.Rejections.Inc();
        var message = $"Version {version.Version} of model '{version.Model}' is overloaded ({version.Batcher!.Depth} requests queued); retry later.";
        return bodyUnread && !(context.Request.ContentLength <= _bodies.DrainBytes)
            ? RefuseAndCloseAsync(context, StatusCodes.Status503ServiceUnavailable, message, retryAfter: true)
            : ProtocolErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, message, retryAfter: true);
    }

    /// <summary>
    /// Answers and closes the connection without receiving the rest of the body. Kestrel would otherwise
    /// drain it (receive and discard it, for up to 5 s) to close gracefully, which is the very work a
    /// refusal under overload or memory pressure is meant to save; with the body's limit lowered to 0
    /// before anything was read, its drain stops at once and the connection closes after the response.
    /// </summary>
    private static Task RefuseAndCloseAsync(HttpContext context, int status, string message, bool retryAfter)
    {
        context.Response.Headers.Connection = "close";
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = 0;
        }
        return ProtocolErrors.WriteAsync(context, status, message, retryAfter);
    }

    /// <summary>The response to a body that could not be buffered; the connection closes, as part of the body is unread.</summary>
    private static Task RefuseBodyAsync(HttpContext context, VersionMetrics metrics, RequestBodyReader.Result body)
    {
        var status = body.Status switch
        {
            BodyReadStatus.TooLarge => StatusCodes.Status413PayloadTooLarge,
            BodyReadStatus.OverBudget => StatusCodes.Status503ServiceUnavailable,
            BodyReadStatus.TooSlow => StatusCodes.Status408RequestTimeout,
            BodyReadStatus.BadFraming => StatusCodes.Status400BadRequest,
            _ => 0,
        };
        switch (body.Status)
        {
            case BodyReadStatus.Cancelled:
                metrics.Cancelled.Inc();
                return Task.CompletedTask;
            case BodyReadStatus.TooLarge:
                TooLarge.Inc();
                break;
            case BodyReadStatus.OverBudget:
                OverBudget.Inc();
                break;
            default:
                metrics.BadRequest.Inc();
                break;
        }
        if (body.Status == BodyReadStatus.TooLarge)
        {
            // Kestrel stops at the body limit by itself.
            context.Response.Headers.Connection = "close";
            return ProtocolErrors.WriteAsync(context, status, body.Error!);
        }
        return RefuseAndCloseAsync(context, status, body.Error!, retryAfter: body.Status == BodyReadStatus.OverBudget);
    }

    /// <summary>
    /// The one place where a queued request that did not complete becomes a response. What ONNX Runtime
    /// said goes to the log (at most once a second), never to the client: it names the server's internals.
    /// </summary>
    private Task RefuseWorkAsync(HttpContext context, ModelVersion version, Route route, InferenceWorkItem item, WorkStatus status, long started)
    {
        var metrics = version.Metrics;
        switch (status)
        {
            case WorkStatus.InvalidInput:
                metrics.BadRequest.Inc();
                if (_faultLog.TryEnter(out var held))
                {
                    LogInvalidInput(_logger, version.Model, version.Version, item.Error, held);
                }
                return ProtocolErrors.WriteAsync(context, StatusCodes.Status400BadRequest,
                    $"Version {version.Version} of model '{version.Model}' refused the input values: one is outside what the model accepts (for example an index past the end of a lookup table).");
            case WorkStatus.Failed:
                metrics.Error.Inc();
                RecordRollout(version, route, item, Stopwatch.GetElapsedTime(started).TotalSeconds, error: true);
                if (_faultLog.TryEnter(out var suppressed))
                {
                    LogInferenceFailed(_logger, version.Model, version.Version, item.Error, suppressed);
                }
                return ProtocolErrors.WriteAsync(context, StatusCodes.Status500InternalServerError,
                    $"Version {version.Version} of model '{version.Model}' failed to compute this request; the server log has the details.");
            default:
                metrics.Cancelled.Inc();
                return Task.CompletedTask;
        }
    }

    private static void RecordRollout(ModelVersion version, Route route, InferenceWorkItem item, double seconds, bool error)
    {
        if (route.Rollout is not { } rollout)
        {
            return;
        }
        var variantMetrics = version.ForVariant((int)route.Variant, VariantNames.Of(route.Variant));
        (error ? variantMetrics.Error : variantMetrics.Ok).Inc();
        variantMetrics.Duration.Observe(seconds);
        var predictions = !error && version.PredictionOutput >= 0
            ? MemoryMarshal.Cast<byte, float>(item.Result.Outputs[version.PredictionOutput].Bytes)
            : ReadOnlySpan<float>.Empty;
        rollout.RecorderFor(route.Variant)?.RecordRequest(error, seconds, predictions);
    }

    private static ValueTask<FlushResult> WriteResponseAsync(HttpContext context, ModelVersion version, InferenceWorkItem item, string variant)
    {
        var buffer = item.ResponseBuffer;
        buffer.ResetWrittenCount();
        var jsonLength = InferenceResponseWriter.Write(item.JsonWriter, buffer, version.Utf8Model, version.Utf8Version, item.Request, item.Result);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        var headers = response.Headers;
        headers["x-model-version"] = version.VersionText;
        headers["x-model-variant"] = variant;
        if (jsonLength >= 0)
        {
            headers["Inference-Header-Content-Length"] = jsonLength.ToString(CultureInfo.InvariantCulture);
            response.ContentType = BinaryContentType;
        }
        else
        {
            response.ContentType = JsonContentType;
        }
        response.ContentLength = buffer.WrittenCount;
        return response.BodyWriter.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
