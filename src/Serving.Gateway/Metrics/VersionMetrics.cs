using Prometheus;

namespace Serving.Gateway.Metrics;

/// <summary>The labelled metric children of one loaded version, resolved once at load.</summary>
internal sealed class VersionMetrics
{
    public VersionMetrics(string model, string version)
    {
        Ok = ServingMetrics.Requests.WithLabels(model, version, "ok");
        BadRequest = ServingMetrics.Requests.WithLabels(model, version, "bad_request");
        Overloaded = ServingMetrics.Requests.WithLabels(model, version, "overloaded");
        Cancelled = ServingMetrics.Requests.WithLabels(model, version, "cancelled");
        Error = ServingMetrics.Requests.WithLabels(model, version, "error");
        Unavailable = ServingMetrics.Requests.WithLabels(model, version, "unavailable");
        RequestDuration = ServingMetrics.RequestDuration.WithLabels(model, version);
        QueueDuration = ServingMetrics.QueueDuration.WithLabels(model, version);
        ComputeDuration = ServingMetrics.ComputeDuration.WithLabels(model, version);
        BatchRows = ServingMetrics.BatchSize.WithLabels(model, version);
        QueueDepth = ServingMetrics.QueueDepth.WithLabels(model, version);
        Rejections = ServingMetrics.Rejections.WithLabels(model, version);
        Waiting = ServingMetrics.Waiting.WithLabels(model, version);
    }

    public Counter.Child Ok { get; }
    public Counter.Child BadRequest { get; }
    public Counter.Child Overloaded { get; }
    public Counter.Child Cancelled { get; }
    public Counter.Child Error { get; }
    public Counter.Child Unavailable { get; }
    public Histogram.Child RequestDuration { get; }
    public Histogram.Child QueueDuration { get; }
    public Histogram.Child ComputeDuration { get; }
    public Histogram.Child BatchRows { get; }
    public Gauge.Child QueueDepth { get; }
    public Counter.Child Rejections { get; }
    public Gauge.Child Waiting { get; }
}
