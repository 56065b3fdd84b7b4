using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Tracing.Otlp;

namespace Serving.Functional.Tests.Tracing;

/// <summary>
/// A collector's OTLP trace receiver on real Kestrel: OTLP/gRPC (<c>TraceService/Export</c>, HTTP/2
/// cleartext) on one port and OTLP/HTTP (<c>POST /v1/traces</c>, protobuf) on another. It keeps every
/// span it is sent, with the <c>service.name</c> of the process that sent it.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans;

    private OtlpReceiver(WebApplication app, ConcurrentQueue<ReceivedSpan> spans, int grpcPort, int httpPort)
    {
        _app = app;
        _spans = spans;
        GrpcEndpoint = $"http://127.0.0.1:{grpcPort}";
        HttpEndpoint = $"http://127.0.0.1:{httpPort}";
    }

    /// <summary>The OTLP/gRPC address (an exporter's endpoint with protocol <c>grpc</c>).</summary>
    public string GrpcEndpoint { get; }

    /// <summary>The OTLP/HTTP base address (an exporter's endpoint with protocol <c>http/protobuf</c>).</summary>
    public string HttpEndpoint { get; }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var grpcPort = LocalServers.FreePort();
        var httpPort = LocalServers.FreePort();
        var spans = new ConcurrentQueue<ReceivedSpan>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, httpPort, listen => listen.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new ExportService(spans));
        var app = builder.Build();
        app.MapGrpcService<ExportService>();
        app.MapPost("/v1/traces", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            Keep(spans, ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
            await context.Response.Body.WriteAsync(new ExportTraceServiceResponse().ToByteArray());
        });
        await app.StartAsync();
        return new OtlpReceiver(app, spans, grpcPort, httpPort);
    }

    /// <summary>The spans received so far of trace <paramref name="traceId"/>.</summary>
    public IReadOnlyList<ReceivedSpan> Trace(ActivityTraceId traceId)
    {
        var id = traceId.ToHexString();
        return [.. _spans.Where(s => s.TraceId == id)];
    }

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<ReceivedSpan> All => [.. _spans];

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void Keep(ConcurrentQueue<ReceivedSpan> spans, ExportTraceServiceRequest request)
    {
        foreach (var resource in request.ResourceSpans)
        {
            var service = resource.Resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value.StringValue ?? "";
            foreach (var scope in resource.ScopeSpans)
            {
                foreach (var span in scope.Spans)
                {
                    spans.Enqueue(new ReceivedSpan(service, scope.Scope?.Name ?? "", span));
                }
            }
        }
    }

    /// <summary>The OTLP/gRPC service, as a collector implements it.</summary>
    private sealed class ExportService(ConcurrentQueue<ReceivedSpan> spans) : TraceService.TraceServiceBase
    {
        public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
        {
            Keep(spans, request);
            return Task.FromResult(new ExportTraceServiceResponse());
        }
    }
}
