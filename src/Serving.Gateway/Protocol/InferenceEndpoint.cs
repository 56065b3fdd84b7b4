using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Prometheus;
using Serving.Core.Protocol;
using Serving.Gateway.Batching;
using Serving.Gateway.Hosting;
using Serving.Gateway.Inference;
using Serving.Gateway.Metrics;

namespace Serving.Gateway.Protocol;

/// <summary>
/// <c>POST /v2/models/{m}[/versions/{v}]/infer</c>: the request path. It is a terminal middleware rather
/// than a routed endpoint so that matching the path allocates nothing; the body is read from the
/// PipeReader and parsed in place into pooled tensors, queued on the version's batcher, and the
/// response encoded into the work item's reusable buffer.
/// </summary>
internal sealed class InferenceEndpoint
{
    private const string JsonContentType = "application/json";
    private const string BinaryContentType = "application/octet-stream";
    private static readonly Counter.Child NotFound = ServingMetrics.Requests.WithLabels("", "", "not_found");
    private static readonly Counter.Child TooLarge = ServingMetrics.Requests.WithLabels("", "", "too_large");

    private readonly ModelHost _host;
    private readonly long _maxBody;

    public InferenceEndpoint(ModelHost host, IOptions<ServingOptions> options)
    {
        _host = host;
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
        var modelName = path.AsSpan()[modelRange];
        if (!_host.Catalog.TryGetModel(modelName, out var entry))
        {
            NotFound.Inc();
            await ProtocolErrors.WriteAsync(context, StatusCodes.Status404NotFound, $"Unknown model '{modelName}'.");
            return;
        }
        var (version, error, status) = Resolve(entry, path.AsSpan()[versionRange]);
        if (version is null)
        {
            if (status == StatusCodes.Status404NotFound)
            {
                NotFound.Inc();
            }
            await ProtocolErrors.WriteAsync(context, status, error!, retryAfter: status == StatusCodes.Status503ServiceUnavailable);
            return;
        }
        try
        {
            await InferAsync(context, version, started);
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

    internal static string NotReadyMessage(ModelVersion version) => version.State switch
    {
        VersionState.Failed => $"Version {version.Version} of model '{version.Model}' failed to load: {version.FailureReason}",
        VersionState.Loading => $"Version {version.Version} of model '{version.Model}' is still loading.",
        _ => $"Version {version.Version} of model '{version.Model}' is {version.State.ToString().ToLowerInvariant()} and takes no requests.",
    };

    private async Task InferAsync(HttpContext context, ModelVersion version, long started)
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
            metrics.Overloaded.Inc();
            metrics.Rejections.Inc();
            await ProtocolErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                $"Version {version.Version} of model '{version.Model}' is overloaded ({version.Batcher.Depth} requests queued); retry later.", retryAfter: true);
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
        ReadResult read;
        try
        {
            read = await ReadBodyAsync(reader, request.ContentLength, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            metrics.Cancelled.Inc();
            return;
        }
        catch (BadHttpRequestException ex)
        {
            metrics.BadRequest.Inc();
            await ProtocolErrors.WriteAsync(context, ex.StatusCode, ex.Message);
            return;
        }
        if (read.Buffer.Length > _maxBody)
        {
            reader.AdvanceTo(read.Buffer.End);
            TooLarge.Inc();
            await ProtocolErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"The request body exceeds the limit of {_maxBody} bytes.");
            return;
        }

        var item = InferenceWorkItem.Rent();
        try
        {
            var signature = version.Signature!;
            item.Request.Bind(signature);
            var parseError = InferenceRequestParser.Parse(read.Buffer, headerLength, item.Request);
            // Every tensor now lives in pooled buffers of its own: hand the connection's memory back.
            reader.AdvanceTo(read.Buffer.End);
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
                metrics.Overloaded.Inc();
                metrics.Rejections.Inc();
                await ProtocolErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                    $"Version {version.Version} of model '{version.Model}' is overloaded ({version.Batcher.Depth} requests queued); retry later.", retryAfter: true);
                return;
            }
            var status = await item.Completion;
            if (status == WorkStatus.Cancelled)
            {
                metrics.Cancelled.Inc();
                return;
            }
            if (status == WorkStatus.Failed)
            {
                metrics.Error.Inc();
                await ProtocolErrors.WriteAsync(context, StatusCodes.Status500InternalServerError, item.Error ?? "Inference failed.");
                return;
            }
            await WriteResponseAsync(context, version, item);
            metrics.Ok.Inc();
            metrics.RequestDuration.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            // After the response is on its way: lock-free counter updates, no waiting.
            version.Drift?.Record(item);
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

    private static ValueTask<FlushResult> WriteResponseAsync(HttpContext context, ModelVersion version, InferenceWorkItem item)
    {
        var buffer = item.ResponseBuffer;
        buffer.ResetWrittenCount();
        var jsonLength = InferenceResponseWriter.Write(item.JsonWriter, buffer, version.Utf8Model, version.Utf8Version, item.Request, item.Result);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        var headers = response.Headers;
        headers["x-model-version"] = version.VersionText;
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
