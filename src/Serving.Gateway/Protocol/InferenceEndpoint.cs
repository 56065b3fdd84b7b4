using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Serving.Core.Protocol;
using Serving.Core.Rollouts;
using Serving.Gateway.Batching;
using Serving.Gateway.Inference;
using Serving.Gateway.Remote;

namespace Serving.Gateway.Protocol;

/// <summary>
/// <c>POST /v2/models/{m}[/versions/{v}]/infer</c>: the REST adapter of <see cref="InferenceCore"/>. It is a
/// terminal middleware rather than a routed endpoint so that matching the path allocates nothing; the body
/// is read from the PipeReader and parsed in place into pooled tensors, and the response encoded into the
/// work item's reusable buffer. Failures are written by <see cref="ProtocolErrors.WriteAsync(HttpContext, in InferenceFailure)"/>,
/// the one place an <see cref="InferenceError"/> becomes an HTTP status.
/// </summary>
internal sealed class InferenceEndpoint
{
    private const string JsonContentType = "application/json";
    private const string BinaryContentType = "application/octet-stream";

    private readonly InferenceCore _core;
    private readonly RemoteForwarder _forwarder;
    private readonly long _maxBody;
    private readonly RequestBodyReader _bodies;
    private readonly RequestLimits _limits;

    public InferenceEndpoint(InferenceCore core, RemoteForwarder forwarder, IOptions<ProtocolOptions> options, RequestBodyReader bodies)
    {
        _bodies = bodies;
        _core = core;
        _forwarder = forwarder;
        _maxBody = options.Value.MaxRequestBodyBytes;
        _limits = options.Value.Limits;
    }

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
        var route = _core.Route(path.AsSpan()[modelRange], path.AsSpan()[versionRange], new HttpRoutingHeaders(context.Request.Headers));
        if (route.IsRemote)
        {
            if (!context.Request.Headers.ContainsKey(RequestIds.Header))
            {
                // The worker answers with its body's id if it has one, else this one: the client sees the id either way.
                context.Request.Headers[RequestIds.Header] = RequestIds.Next();
            }
            var remotePath = route.RemoteVersion is null
                ? $"/v2/models/{route.RemoteModel}/infer"
                : $"/v2/models/{route.RemoteModel}/versions/{route.RemoteVersion}/infer";
            var forwarded = await _forwarder.ForwardAsync(context, route.Cluster!, route.RemoteModel!, remotePath, VariantNames.Of(route.Variant));
            await ProtocolErrors.WriteAsync(context, forwarded);
            InferenceCore.RecordRemote(route, forwarded.ServerError, started);
            return;
        }
        if (route.Failure.Failed)
        {
            await ProtocolErrors.WriteAsync(context, route.Failure);
            return;
        }
        var version = route.Version!;
        try
        {
            var failure = await InferAsync(context, route, started);
            if (failure.Failed)
            {
                CloseIfBodyUnread(context, failure);
                await ProtocolErrors.WriteAsync(context, failure);
            }
        }
        finally
        {
            version.Release();
        }
    }

    /// <summary>Reads, parses, queues and answers a request routed to a local version; a failure is returned for the caller to write.</summary>
    private async ValueTask<InferenceFailure> InferAsync(HttpContext context, InferenceRoute route, long started)
    {
        var request = context.Request;
        var version = route.Version!;
        if (request.ContentLength > _maxBody)
        {
            return InferenceCore.TooLarge($"The request body ({request.ContentLength} bytes) exceeds the limit of {_maxBody} bytes.");
        }
        long headerLength = -1;
        if (request.Headers.TryGetValue("Inference-Header-Content-Length", out var headerValue)
            && !long.TryParse(headerValue.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out headerLength))
        {
            return InferenceCore.Invalid(version, "Inference-Header-Content-Length must be a non-negative integer.");
        }
        // The body's memory is reserved before the request may wait for room, so waiting requests are
        // bounded by the budget as well.
        if (!_bodies.TryReserveDeclared(request, out var reserved, out var overBudget))
        {
            return InferenceCore.OverBudget(overBudget!);
        }
        // Refuse, or wait for room, before reading or parsing the body: under overload every cycle spent
        // on a request that cannot be queued is taken from the ones that can.
        var failure = await InferenceCore.AdmitOrWaitAsync(version, _limits, context.RequestAborted);
        if (failure.Failed)
        {
            _bodies.Release(reserved);
            return failure;
        }

        var reader = request.BodyReader;
        var body = await _bodies.ReadAsync(request, reserved, context.RequestAborted);
        switch (body.Status)
        {
            case BodyReadStatus.Cancelled:
                return InferenceCore.Cancelled(version);
            case BodyReadStatus.TooLarge:
                return InferenceCore.TooLarge(body.Error!);
            case BodyReadStatus.OverBudget:
                return InferenceCore.OverBudget(body.Error!);
            case BodyReadStatus.TooSlow:
                return InferenceCore.TooSlow(version, body.Error!);
            case BodyReadStatus.BadFraming:
                context.Response.Headers.Connection = "close";
                return InferenceCore.Invalid(version, body.Error!);
        }
        var read = body.Read;

        var item = InferenceWorkItem.Rent();
        try
        {
            item.Request.Bind(version.Signature!);
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
                return InferenceCore.Invalid(version, parseError);
            }
            item.RequestId = RequestIds.Resolve(item.Request, request.Headers[RequestIds.Header]);
            failure = InferenceCore.Enqueue(route, item, context.RequestAborted);
            if (failure.Failed)
            {
                return failure;
            }
            var status = await item.Completion;
            failure = _core.Completed(route, item, status, started);
            if (failure.Failed)
            {
                return failure;
            }
            await WriteResponseAsync(context, version, item, VariantNames.Of(route.Variant));
            _core.Record(route, item, started);
            return default;
        }
        finally
        {
            InferenceWorkItem.Return(item);
        }
    }

    /// <summary>
    /// Closes the connection after a refusal whose body was not (wholly) read: over budget, too slow, or
    /// overloaded with a body larger than <see cref="RequestLimits.DrainBytes"/>. Kestrel would otherwise
    /// drain the body (receive and discard it, for up to 5 s) to keep the connection, which is the very
    /// work the refusal saves; with the body's limit lowered to 0 before anything was read, its drain
    /// stops at once and the connection closes after the response.
    /// </summary>
    private void CloseIfBodyUnread(HttpContext context, in InferenceFailure failure)
    {
        var close = failure.Error is InferenceError.OverBudget or InferenceError.TooSlow
            || (failure.Error == InferenceError.Overloaded && !(context.Request.ContentLength <= _bodies.DrainBytes));
        if (!close)
        {
            return;
        }
        context.Response.Headers.Connection = "close";
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = 0;
        }
    }

    private static ValueTask<FlushResult> WriteResponseAsync(HttpContext context, LoadedVersion version, InferenceWorkItem item, string variant)
    {
        var buffer = item.ResponseBuffer;
        buffer.ResetWrittenCount();
        var jsonLength = InferenceResponseWriter.Write(item.JsonWriter, buffer, version.Utf8Model, version.Utf8Version, item.Request, item.Result);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        var headers = response.Headers;
        headers["x-model-version"] = version.VersionText;
        headers["x-model-variant"] = variant;
        if (RequestIds.IsHeaderSafe(item.RequestId))
        {
            headers[RequestIds.Header] = item.RequestId;
        }
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
