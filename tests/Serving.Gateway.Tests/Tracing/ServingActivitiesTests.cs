using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Serving.Gateway.Batching;
using Serving.Gateway.Hosting;
using Serving.Gateway.Tests.Lifecycle;
using Serving.Gateway.Tracing;

namespace Serving.Gateway.Tests.Tracing;

/// <summary>
/// The gateway's span helpers on the request path: nothing allocated when tracing is off or the request
/// is sampled out; the spans and the restored current activity when it is traced. Listeners are
/// process-wide, so these tests run alone.
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class ServingActivitiesTests
{
    [Fact]
    public void RequestPath_TracingOff_AllocatesNothing()
    {
        Assert.False(ServingActivities.Source.HasListeners());
        var batch = new List<InferenceWorkItem> { InferenceWorkItem.Rent(), InferenceWorkItem.Rent() };
        var context = new DefaultHttpContext();
        try
        {
            var (allocated, traced) = MeasureRequestPath(batch, context);

            Assert.Equal(0, allocated);
            Assert.False(traced);
        }
        finally
        {
            batch.ForEach(InferenceWorkItem.Return);
        }
    }

    [Fact]
    public void RequestPath_RequestNotRecorded_AllocatesNothing()
    {
        // Tracing on, sampled out: the listener asks only for propagation, as the SDK does at ratio 0.
        using var listener = Listen(ActivitySamplingResult.PropagationData, stopped: null);
        var batch = new List<InferenceWorkItem> { InferenceWorkItem.Rent(), InferenceWorkItem.Rent() };
        var context = new DefaultHttpContext();
        var request = new Activity("request").Start();
        try
        {
            Assert.False(request.Recorded);
            var (allocated, traced) = MeasureRequestPath(batch, context);

            Assert.Equal(0, allocated);
            Assert.False(traced);
            Assert.Same(request, Activity.Current);
        }
        finally
        {
            request.Stop();
            batch.ForEach(InferenceWorkItem.Return);
        }
    }

    [Fact]
    public void StartBatch_TracedRequests_QueueWaitEachAndOneLinkedBatchSpan()
    {
        var stopped = new List<Activity>();
        using var listener = Listen(ActivitySamplingResult.AllDataAndRecorded, stopped);
        var first = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var second = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var untraced = InferenceWorkItem.Rent();
        var a = InferenceWorkItem.Rent();
        var b = InferenceWorkItem.Rent();
        a.TraceParent = first;
        b.TraceParent = second;
        var queued = Stopwatch.GetTimestamp();
        a.EnqueuedAt = b.EnqueuedAt = untraced.EnqueuedAt = queued;
        var request = new Activity("request").Start();
        try
        {
            var trace = ServingActivities.StartBatch([untraced, a, b], 3, Stopwatch.GetTimestamp(), "batcher m/1");
            Assert.Same(trace.Span, Activity.Current);
            ServingActivities.StopBatch(trace, nameof(WorkStatus.Failed), "boom");

            // The request's thread gets its own activity back (the batch may run inline on it).
            Assert.Same(request, Activity.Current);
            var waits = stopped.Where(s => s.OperationName == ServingActivities.QueueWaitName).ToList();
            Assert.Equal(new[] { first.SpanId, second.SpanId }, waits.Select(w => w.ParentSpanId));
            Assert.Equal(new[] { first.TraceId, second.TraceId }, waits.Select(w => w.TraceId));
            Assert.All(waits, w => Assert.True(w.Duration >= TimeSpan.Zero));
            var span = Assert.Single(stopped, s => s.OperationName == ServingActivities.BatchName);
            Assert.Equal(first.SpanId, span.ParentSpanId);
            Assert.Equal(new[] { first, second }, span.Links.Select(l => l.Context));
            Assert.Equal(3, span.GetTagItem("serving.batch.requests"));
            Assert.Equal(3, span.GetTagItem("serving.batch.rows"));
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Equal("boom", span.StatusDescription);
        }
        finally
        {
            request.Stop();
            InferenceWorkItem.Return(untraced);
            InferenceWorkItem.Return(a);
            InferenceWorkItem.Return(b);
        }
    }

    [Theory]
    [InlineData("Serving:Tracing:OtlpEndpoint", "http://collector:4317", null, true)]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317", null, true)]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces", null, true)]
    [InlineData("Serving:Tracing:OtlpEndpoint", "http://collector:4317", "true", false)]
    [InlineData("Serving:Tracing:SamplingRatio", "1", null, false)]
    public void IsEnabled_OnlyWithAnEndpointAndNotDisabled(string key, string value, string? sdkDisabled, bool enabled)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [key] = value, ["OTEL_SDK_DISABLED"] = sdkDisabled })
            .Build();
        var options = configuration.GetSection(TracingOptions.Section).Get<TracingOptions>() ?? new TracingOptions();

        Assert.Equal(enabled, TracingHosting.IsEnabled(configuration, options));
    }

    [Theory]
    [InlineData("--Serving:Tracing:SamplingRatio=2", "Serving:Tracing:SamplingRatio")]
    [InlineData("--Serving:Tracing:OtlpProtocol=thrift", "Serving:Tracing:OtlpProtocol")]
    [InlineData("--Serving:Tracing:OtlpEndpoint=collector:4317", "Serving:Tracing:OtlpEndpoint")]
    public void AddServing_BadTracingSetting_StopsStartupNamingIt(string setting, string named)
    {
        var builder = WebApplication.CreateSlimBuilder(["--Serving:Tracing:OtlpEndpoint=http://127.0.0.1:4317", setting]);

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddServing());

        Assert.Contains(named, error.Message);
    }

    /// <summary>The bytes this thread allocated for one request's worth of the helpers, after a first run (JIT, statics).</summary>
    private static (long Allocated, bool Traced) MeasureRequestPath(List<InferenceWorkItem> batch, HttpContext context)
    {
        RunRequestPath(batch, context);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var traced = RunRequestPath(batch, context);
        return (GC.GetAllocatedBytesForCurrentThread() - before, traced);
    }

    /// <summary>
    /// One request's worth of the helpers the batcher and the forwarder call; true when any of them
    /// produced a span.
    /// </summary>
    private static bool RunRequestPath(List<InferenceWorkItem> batch, HttpContext context)
    {
        foreach (var item in batch)
        {
            item.TraceParent = ServingActivities.RecordedParent();
        }
        var trace = ServingActivities.StartBatch(batch, batch.Count, Stopwatch.GetTimestamp(), "batcher m/1");
        ServingActivities.StopBatch(trace, failure: null, null);
        using var forward = ServingActivities.StartForward(context, "m", "/v2/models/m/versions/1/infer");
        forward.Attempt("http://worker:8000", 0);
        return trace.Span is not null || batch[0].TraceParent != default;
    }

    private static ActivityListener Listen(ActivitySamplingResult sampling, List<Activity>? stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == ServingActivities.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => sampling,
            ActivityStopped = activity => stopped?.Add(activity),
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
