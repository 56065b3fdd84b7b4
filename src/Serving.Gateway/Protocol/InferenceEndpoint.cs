using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Serving.Core.Protocol;
using Serving.Core.Rollouts;
using Serving.Gateway.Batching;
using Serving.Gateway.Hosting;
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

    public InferenceEndpoint(InferenceCore core, RemoteForwarder forwarder, IOptions<ServingOptions> options)
    {
        _core = core;
        _forwarder = forwarder;
        _maxBody = options.Value.MaxRequestBodyBytes;
    }

    /// <summary>Whether <paramref name="path"/> is an infer route; gives the model and optional version segments.</summary>
    public static bool TryMatch(ReadOnlySpan<char> path, out Range model, out Range version)
    {
        model = default;
        version = default;
        const string prefix = "/v2/models/";
        const string suffix = "/infer";
        if (!path.StartsWith(prefix, StringComparison.Ordinal) || !path.EndsWith(suffix, StringComparison.Ordinal))
        {
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
            var remotePath = route.RemoteVersion is null
                ? $"/v2/models/{route.RemoteModel}/infer"
                : $"/v2/models/{route.RemoteModel}/versions/{route.RemoteVersion}/infer";
            var answered = await _forwarder.ForwardAsync(context, route.Cluster!, route.RemoteModel!, remotePath, VariantNames.Of(route.Variant));
            InferenceCore.RecordRemote(route, !answered, started);
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
        // Refuse before reading or parsing the body: under overload every cycle spent on a request
        // that cannot be queued is taken from the ones that can.
        var failure = InferenceCore.Admit(version);
        if (failure.Failed)
        {
            return failure;
        }
        long headerLength = -1;
        if (request.Headers.TryGetValue("Inference-Header-Content-Length", out var headerValue)
            && !long.TryParse(headerValue.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out headerLength))
        {
            return InferenceCore.Invalid(version, "Inference-Header-Content-Length must be a non-negative integer.");
        }

        var reader = request.BodyReader;
        ReadResult read;
        try
        {
            read = await ReadBodyAsync(reader, request.ContentLength, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return InferenceCore.Cancelled(version);
        }
        catch (BadHttpRequestException ex)
        {
            return ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? InferenceCore.TooLarge(ex.Message)
                : InferenceCore.Invalid(version, ex.Message);
        }
        if (read.Buffer.Length > _maxBody)
        {
            reader.AdvanceTo(read.Buffer.End);
            return InferenceCore.TooLarge($"The request body exceeds the limit of {_maxBody} bytes.");
        }

        var item = InferenceWorkItem.Rent();
        try
        {
            item.Request.Bind(version.Signature!);
            var parseError = InferenceRequestParser.Parse(read.Buffer, headerLength, item.Request);
            // Every tensor now lives in pooled buffers of its own: hand the connection's memory back.
            reader.AdvanceTo(read.Buffer.End);
            if (parseError is not null)
            {
                return InferenceCore.Invalid(version, parseError);
            }
            failure = InferenceCore.Enqueue(route, item, context.RequestAborted);
            if (failure.Failed)
            {
                return failure;
            }
            var status = await item.Completion;
            failure = InferenceCore.Completed(route, item, status, started);
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

    private static async ValueTask<ReadResult> ReadBodyAsync(PipeReader reader, long? contentLength, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            if (read.IsCompleted || (contentLength is { } length && read.Buffer.Length >= length))
            {
                return read;
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
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
