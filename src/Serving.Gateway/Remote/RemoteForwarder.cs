using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Serving.Gateway.Protocol;
using Serving.Gateway.Tracing;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Serving.Gateway.Remote;

/// <summary>
/// Forwards a request for a version this process does not host to a worker with YARP's
/// <see cref="IHttpForwarder"/>. The body is buffered (it is bounded by <c>MaxRequestBodyBytes</c>) so
/// that a request a worker could not take (connection refused, or dropped before any response) is sent
/// again to another worker; such a failure also takes the worker out for the reactivation period
/// (YARP's passive health state). The destination comes from YARP's cluster (see <see cref="WorkerClusters"/>):
/// its available destinations, picked by YARP's power-of-two-choices policy on requests in flight.
/// Local versions never come here.
/// </summary>
internal sealed partial class RemoteForwarder : IDisposable
{
    private readonly IHttpForwarder _forwarder;
    private readonly IDestinationHealthUpdater _health;
    private readonly ILoadBalancingPolicy _balancer;
    private readonly TimeSpan _reactivation;
    private readonly HttpMessageInvoker _invoker;
    private readonly ForwarderRequestConfig _config;
    private readonly int _retries;
    private readonly long _maxBody;
    private readonly ILogger<RemoteForwarder> _logger;

    public RemoteForwarder(IHttpForwarder forwarder, IDestinationHealthUpdater health, IEnumerable<ILoadBalancingPolicy> policies,
        IOptions<RemoteOptions> options, IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions> server, ILogger<RemoteForwarder> logger)
    {
        _forwarder = forwarder;
        _health = health;
        _balancer = policies.First(static p => p.Name == LoadBalancingPolicies.PowerOfTwoChoices);
        _logger = logger;
        var forwarding = options.Value.Forwarding;
        _reactivation = forwarding.ReactivationPeriod;
        _retries = forwarding.Retries;
        // The server refuses larger bodies as it reads them; refuse them before forwarding too.
        _maxBody = server.Value.Limits.MaxRequestBodySize ?? long.MaxValue;
        // One invoker for every destination, configured as YARP's documentation recommends.
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
            ConnectTimeout = forwarding.ConnectTimeout,
        });
        _config = new ForwarderRequestConfig
        {
            ActivityTimeout = forwarding.ActivityTimeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    /// <summary>
    /// Forwards the request to a worker of <paramref name="cluster"/> at <paramref name="path"/>. Says whether
    /// the client got a server error (the worker's or the gateway's), for rollout analysis, and the error the
    /// gateway owes the client when no worker answered, which the caller writes.
    /// </summary>
    public async Task<ForwardResult> ForwardAsync(HttpContext context, ClusterState cluster, string model, string path, string? variant)
    {
        var started = Stopwatch.GetTimestamp();
        using var trace = ServingActivities.StartForward(context, model, path);
        var request = context.Request;
        var body = await BufferBodyAsync(context).ConfigureAwait(false);
        if (body.Failed is { } refused)
        {
            return refused;
        }
        var transformer = new ForwardTransformer(path, variant);
        var ownCluster = cluster.ClusterId != WorkerClusters.Wildcard;
        var label = ForwardMetrics.ModelLabel(model, ownCluster);
        DestinationState? previous = null;
        for (var attempt = 0; attempt <= _retries; attempt++)
        {
            var destination = Pick(context, cluster, previous);
            if (destination is null)
            {
                break;
            }
            var address = destination.Model.Config.Address;
            trace.Attempt(address, attempt);
            if (body.Bytes is { } bytes)
            {
                // A fresh stream per attempt: the forwarder may have read (or disposed) the last one.
                request.Body = new MemoryStream(bytes, 0, body.Length, writable: false);
            }
            ForwarderError error;
            AddInFlight(destination, 1);
            try
            {
                error = await _forwarder.SendAsync(context, address, _invoker, _config, transformer).ConfigureAwait(false);
            }
            finally
            {
                AddInFlight(destination, -1);
            }
            if (error == ForwarderError.None)
            {
                var status = context.Response.StatusCode;
                label = ForwardMetrics.Confirm(model, ownCluster, status);
                ForwardMetrics.Requests.WithLabels(label, address, ForwardMetrics.Outcome(status)).Inc();
                ForwardMetrics.Duration.WithLabels(label).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
                return ForwardResult.Answered(status);
            }
            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            if (IsTransportFailure(error))
            {
                _health.SetPassive(cluster, destination, DestinationHealth.Unhealthy, _reactivation);
            }
            if (IsTransportFailure(error) && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                LogRetrying(_logger, model, address, error, exception?.Message ?? "");
                ForwardMetrics.Requests.WithLabels(label, address, "retried").Inc();
                // YARP set 502 and its error feature: start the response afresh for the next destination.
                context.Response.Clear();
                context.Features.Set<IForwarderErrorFeature>(null);
                previous = destination;
                continue;
            }
            ForwardMetrics.Requests.WithLabels(label, address, "failed").Inc();
            if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
                or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient)
            {
                return default;
            }
            LogForwardFailed(_logger, model, address, error, exception?.Message ?? "");
            if (context.Response.HasStarted)
            {
                return new ForwardResult(ServerError: true);
            }
            context.Response.Clear();
            return ForwardResult.Fail(error == ForwarderError.RequestTimedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                $"Worker {address} failed to answer for model '{model}': {error}.");
        }
        ForwardMetrics.Requests.WithLabels(label, "", "no_destination").Inc();
        if (context.Response.HasStarted)
        {
            return new ForwardResult(ServerError: true);
        }
        context.Response.Clear();
        return ForwardResult.Fail(StatusCodes.Status503ServiceUnavailable, previous is null
            ? $"No healthy worker hosts model '{model}'."
            : $"No worker hosting model '{model}' could be reached.", retryAfter: true);
    }

    /// <summary>Forwards the request to a worker of <paramref name="cluster"/> at its own path (metadata and readiness of a model hosted there).</summary>
    public Task<ForwardResult> ForwardUnchangedAsync(HttpContext context, ClusterState cluster, string model) =>
        ForwardAsync(context, cluster, model, context.Request.Path.Value!, variant: null);

    /// <summary>
    /// A destination among the cluster's available ones (YARP's health policy decides which), other than
    /// <paramref name="exclude"/>; null when none is left.
    /// </summary>
    private DestinationState? Pick(HttpContext context, ClusterState cluster, DestinationState? exclude)
    {
        var available = cluster.DestinationsState.AvailableDestinations;
        if (exclude is null)
        {
            return available.Count == 0 ? null : _balancer.PickDestination(context, cluster, available);
        }
        // A retry, off the common path: the list without the destination that just failed.
        var others = new List<DestinationState>(available.Count);
        foreach (var destination in available)
        {
            if (!ReferenceEquals(destination, exclude))
            {
                others.Add(destination);
            }
        }
        return others.Count == 0 ? null : _balancer.PickDestination(context, cluster, others);
    }

    /// <summary>
    /// Counts a request in flight on <paramref name="destination"/>, which the power-of-two-choices policy
    /// reads. YARP's own pipeline counts through an internal counter; its public property is a plain
    /// read-modify-write, so updates are serialised per destination.
    /// </summary>
    private static void AddInFlight(DestinationState destination, int delta)
    {
        lock (destination)
        {
            destination.ConcurrentRequestCount += delta;
        }
    }

    /// <summary>Failures that say the worker could not take the request: the request may be sent elsewhere.</summary>
    private static bool IsTransportFailure(ForwarderError error) =>
        error is ForwarderError.Request or ForwarderError.RequestBodyDestination or ForwarderError.ResponseHeaders;

    /// <summary>The buffered request body (null when there is none); Failed, how forwarding ends, when it could not be read.</summary>
    private readonly record struct BufferedBody(byte[]? Bytes, int Length, ForwardResult? Failed);

    private async ValueTask<BufferedBody> BufferBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return default;
        }
        if (request.ContentLength > _maxBody)
        {
            context.Response.Headers.Connection = "close";
            return new BufferedBody(null, 0, ForwardResult.Fail(StatusCodes.Status413PayloadTooLarge,
                $"The request body ({request.ContentLength} bytes) exceeds the limit of {_maxBody} bytes."));
        }
        var stream = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        try
        {
            await request.Body.CopyToAsync(stream, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return new BufferedBody(null, 0, default(ForwardResult));
        }
        catch (BadHttpRequestException ex)
        {
            return new BufferedBody(null, 0, ForwardResult.Fail(ex.StatusCode, ex.Message));
        }
        catch (IOException)
        {
            // The client went away while sending its body.
            return new BufferedBody(null, 0, default(ForwardResult));
        }
        // A chunked body is sent on with its length now known.
        request.Headers.Remove("Transfer-Encoding");
        request.ContentLength = stream.Length;
        return new BufferedBody(stream.GetBuffer(), (int)stream.Length, null);
    }

    public void Dispose() => _invoker.Dispose();

    [LoggerMessage(EventId = 1611, Level = LogLevel.Warning, Message = "{Model}: worker {Destination} could not take a request ({Error}: {Reason}); trying another worker")]
    private static partial void LogRetrying(ILogger logger, string model, string destination, ForwarderError error, string reason);

    [LoggerMessage(EventId = 1612, Level = LogLevel.Warning, Message = "{Model}: forwarding to worker {Destination} failed ({Error}: {Reason})")]
    private static partial void LogForwardFailed(ILogger logger, string model, string destination, ForwarderError error, string reason);
}
