using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Lifecycle;
using Serving.Functional.Tests.Registry;
using Serving.Functional.Tests.Remote;
using Serving.Gateway.Batching;
using Serving.Gateway.Grpc.Protocol;
using Serving.Gateway.Inference;
using Serving.Gateway.Tracing;
using Serving.Testing.Common;
using SpanKind = Serving.Functional.Tests.Tracing.Otlp.Span.Types.SpanKind;

namespace Serving.Functional.Tests.Tracing;

/// <summary>
/// Traces a client starts, exported over OTLP to a receiver in the test, and the absence of any activity
/// when tracing is off. Activity listeners are process-wide, so these tests run alone.
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class TracingTests
{
    private static readonly CreditRiskFixture CreditRisk = ExpectedOutputs.CreditRisk;

    /// <summary>Exports every 100 ms rather than every 5 s (the SDK reads the standard variable from configuration).</summary>
    private const string FastExport = "--OTEL_BSP_SCHEDULE_DELAY=100";

    [Fact]
    public async Task RestRequest_ClientTraceparent_GatewayAndWorkerSpansShareTheClientsTrace()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        try
        {
            await TraceThroughGatewayAndWorkerAsync($"--Serving:Redis={redis.ConnectionString}");
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    /// <summary>The worker exports over OTLP/HTTP, the gateway over OTLP/gRPC: both of the exporter's protocols.</summary>
    private static async Task TraceThroughGatewayAndWorkerAsync(string sharedRegistry)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var worker = await WorkerProcess.StartAsync(
            [sharedRegistry, $"--Serving:Tracing:OtlpEndpoint={receiver.HttpEndpoint}", "--Serving:Tracing:OtlpProtocol=http/protobuf", FastExport]);
        await using var gateway = await RemoteTopology.StartGatewayAsync([worker],
            [sharedRegistry, $"--Serving:Tracing:OtlpEndpoint={receiver.GrpcEndpoint}", FastExport]);
        var (traceId, clientSpan) = NewClientSpan();

        using var client = UntracedClient(gateway.Address);
        using var request = new HttpRequestMessage(HttpMethod.Post, Infer.Path("credit-risk"))
        {
            Content = new StringContent(Infer.CreditRiskJson([0]), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (version, probabilities) = await RemoteTopology.ReadCreditRiskAsync(response);
        CreditRisk.AssertProbabilities(version, [0], probabilities);
        // Each process's server span ends last (after its batch or forwarding): wait for both.
        await Polling.UntilAsync(() => Has(receiver.Trace(traceId), "serving-worker", SpanKind.Server)
            && Has(receiver.Trace(traceId), "serving-gateway", SpanKind.Server), "the gateway's and the worker's spans arrived");
        var trace = receiver.Trace(traceId);
        var gatewayServer = Single(trace, "serving-gateway", SpanKind.Server);
        Assert.Equal(clientSpan.ToHexString(), gatewayServer.ParentSpanId);
        var forward = Single(trace, "serving-gateway", ServingActivities.ForwardName);
        Assert.Equal(gatewayServer.SpanId, forward.ParentSpanId);
        Assert.Equal("credit-risk", forward.Attribute("serving.model"));
        Assert.Equal(worker.Address, forward.Attribute("serving.worker"));
        Assert.Equal("200", forward.Attribute("http.response.status_code"));
        var workerServer = Single(trace, "serving-worker", SpanKind.Server);
        Assert.Contains(forward.SpanId, Ancestors(trace, workerServer));
        Assert.Equal($"/v2/models/credit-risk/versions/{version}/infer", workerServer.Attribute("url.path"));
        AssertQueueAndBatch(trace, "serving-worker", workerServer, $"credit-risk/{version}");
        // Never recorded: health probes (the test's readiness polls, the gateway's probes of the worker)
        // and requests made outside a trace.
        Assert.DoesNotContain(receiver.All, s => s.Attribute("url.path")?.StartsWith("/v2/health", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(receiver.All, s => s.Kind == SpanKind.Client && s.TraceId != traceId.ToHexString());
    }

    [Fact]
    public async Task GrpcRequest_SampledAtZero_RecordsOnlyTheTracesClientsSampled()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var seen = new ConcurrentQueue<(string? Name, ActivityTraceId TraceId)>();
        await using var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models,
            [$"--Serving:Tracing:OtlpEndpoint={receiver.GrpcEndpoint}", "--Serving:Tracing:SamplingRatio=0", FastExport],
            beforeStart: host => RecordCurrentActivity(host, seen), grpc: true);
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress!, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { ActivityHeadersPropagator = null } });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        var (first, firstSpan) = NewClientSpan();
        await client.ModelInferAsync(CreditRiskRequest(), new Metadata { { "traceparent", $"00-{first}-{firstSpan}-01" } });
        var (unsampled, unsampledSpan) = NewClientSpan();
        await client.ModelInferAsync(CreditRiskRequest(), new Metadata { { "traceparent", $"00-{unsampled}-{unsampledSpan}-00" } });
        await client.ModelInferAsync(CreditRiskRequest());
        var (last, lastSpan) = NewClientSpan();
        var response = await client.ModelInferAsync(CreditRiskRequest(), new Metadata { { "traceparent", $"00-{last}-{lastSpan}-01" } });

        CreditRisk.AssertProbabilities(int.Parse(response.ModelVersion, System.Globalization.CultureInfo.InvariantCulture), [0], response.Outputs[0].Contents.Fp32Contents);
        await Polling.UntilAsync(() => Has(receiver.Trace(first), "serving-all", SpanKind.Server)
            && Has(receiver.Trace(last), "serving-all", SpanKind.Server), "both sampled traces arrived");
        foreach (var (traceId, clientSpan) in new[] { (first, firstSpan), (last, lastSpan) })
        {
            var trace = receiver.Trace(traceId);
            var server = Single(trace, "serving-all", SpanKind.Server);
            Assert.Equal(clientSpan.ToHexString(), server.ParentSpanId);
            Assert.Equal("/inference.GRPCInferenceService/ModelInfer", server.Attribute("url.path"));
            AssertQueueAndBatch(trace, "serving-all", server, $"credit-risk/{response.ModelVersion}");
        }
        // Sampled out (the caller's flag clear, or no caller trace at ratio 0): nothing recorded. The
        // last trace ended after them, so anything they had recorded would have been exported by now.
        Assert.Empty(receiver.Trace(unsampled));
        Assert.Equal(2, receiver.All.Count(s => s.Name == ServingActivities.BatchName));
        // The batch ran inline on the request's thread with the batch's span current.
        Assert.Contains((ServingActivities.BatchName, first), seen);
    }

    [Fact]
    public async Task TracingOff_RequestWithTraceparent_NoListenerAndNoActivity()
    {
        var seen = new ConcurrentQueue<(string? Name, ActivityTraceId TraceId)>();
        await using var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models, beforeStart: host => RecordCurrentActivity(host, seen));
        var (traceId, clientSpan) = NewClientSpan();
        using var client = UntracedClient(gateway.Address);
        using var request = new HttpRequestMessage(HttpMethod.Post, Infer.Path("credit-risk", 2))
        {
            Content = new StringContent(Infer.CreditRiskJson([0]), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(gateway.Services.GetService<TracerProvider>());
        Assert.False(ServingActivities.Source.HasListeners());
        // ASP.NET Core's own source: with a listener it would start an activity for every request.
        using var aspNetCore = new ActivitySource("Microsoft.AspNetCore");
        Assert.False(aspNetCore.HasListeners());
        // The executor ran on the request's thread (the version was idle) and found no current activity.
        var batch = Assert.Single(seen);
        Assert.Null(batch.Name);
    }

    private static void AssertQueueAndBatch(IReadOnlyList<ReceivedSpan> trace, string service, ReceivedSpan server, string version)
    {
        var wait = Single(trace, service, ServingActivities.QueueWaitName);
        Assert.Equal(server.SpanId, wait.ParentSpanId);
        Assert.Equal($"batcher {version}", wait.Attribute("serving.batcher"));
        Assert.True(wait.Span.EndTimeUnixNano >= wait.Span.StartTimeUnixNano);
        var batch = Single(trace, service, ServingActivities.BatchName);
        Assert.Equal(server.SpanId, batch.ParentSpanId);
        Assert.Contains(batch.Span.Links, link => Convert.ToHexStringLower(link.SpanId.Span) == server.SpanId);
        Assert.Equal("1", batch.Attribute("serving.batch.requests"));
        Assert.Equal("1", batch.Attribute("serving.batch.rows"));
        // The batch starts when the wait ends.
        Assert.True(batch.Span.StartTimeUnixNano >= wait.Span.EndTimeUnixNano);
    }

    /// <summary>Wraps every version's executor to note the activity current while a batch runs.</summary>
    private static void RecordCurrentActivity(ModelHost host, ConcurrentQueue<(string? Name, ActivityTraceId TraceId)> seen) =>
        host.ExecutorDecorator = (_, inner) => new ActivityProbe(inner, seen);

    private sealed class ActivityProbe(IBatchExecutor inner, ConcurrentQueue<(string? Name, ActivityTraceId TraceId)> seen) : IBatchExecutor
    {
        public string? Execute(IReadOnlyList<InferenceWorkItem> batch, int totalRows)
        {
            seen.Enqueue((Activity.Current?.OperationName, Activity.Current?.TraceId ?? default));
            return inner.Execute(batch, totalRows);
        }
    }

    private static (ActivityTraceId TraceId, ActivitySpanId SpanId) NewClientSpan() => (ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom());

    /// <summary>A client that sends the headers it is given and adds no trace context of its own.</summary>
    private static HttpClient UntracedClient(Uri address) =>
        new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(1) };

    private static ModelInferRequest CreditRiskRequest()
    {
        var request = new ModelInferRequest { ModelName = "credit-risk" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "features", Datatype = "FP32", Shape = { 1, 12 } };
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.Add(CreditRisk.Inputs[0].Select(static x => (float)x));
        request.Inputs.Add(input);
        return request;
    }

    private static bool Has(IReadOnlyList<ReceivedSpan> trace, string service, SpanKind kind) =>
        trace.Any(s => s.Service == service && s.Kind == kind);

    private static ReceivedSpan Single(IReadOnlyList<ReceivedSpan> trace, string service, string name) =>
        Assert.Single(trace, s => s.Service == service && s.Name == name);

    private static ReceivedSpan Single(IReadOnlyList<ReceivedSpan> trace, string service, SpanKind kind) =>
        Assert.Single(trace, s => s.Service == service && s.Kind == kind);

    /// <summary>The span ids from <paramref name="span"/>'s parent up to the trace's root, as far as the spans were received.</summary>
    private static List<string> Ancestors(IReadOnlyList<ReceivedSpan> trace, ReceivedSpan span)
    {
        var byId = trace.ToDictionary(s => s.SpanId);
        var chain = new List<string>();
        for (var parent = span.ParentSpanId; parent.Length > 0 && chain.Count < 64; parent = byId.TryGetValue(parent, out var next) ? next.ParentSpanId : "")
        {
            chain.Add(parent);
        }
        return chain;
    }
}
