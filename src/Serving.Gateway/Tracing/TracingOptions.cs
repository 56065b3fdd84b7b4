namespace Serving.Gateway.Tracing;

/// <summary>
/// OpenTelemetry tracing (<c>Serving:Tracing:*</c>). Off unless an OTLP endpoint is configured here or
/// in the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> / <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>; when
/// off, OpenTelemetry is not registered at all and no span is created. See docs/tracing.md.
/// </summary>
public sealed class TracingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Serving:Tracing";

    /// <summary>
    /// The collector's OTLP address, e.g. <c>http://otel-collector:4317</c> (gRPC) or
    /// <c>http://otel-collector:4318</c> (HTTP; <c>/v1/traces</c> is appended when the path is empty).
    /// Default none: tracing is off unless the <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> variables name one.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// <c>grpc</c> or <c>http/protobuf</c>. Default: <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else <c>grpc</c>.
    /// </summary>
    public string? OtlpProtocol { get; set; }

    /// <summary>
    /// The fraction of new traces recorded (0 to 1), for requests that arrive without a sampled
    /// <c>traceparent</c>; a request whose caller sampled its trace is always recorded (parent-based
    /// sampling). Default: <c>OTEL_TRACES_SAMPLER</c>/<c>OTEL_TRACES_SAMPLER_ARG</c>, else 1.
    /// </summary>
    public double? SamplingRatio { get; set; }

    /// <summary>
    /// The <c>service.name</c> of this process's spans. Default: <c>OTEL_SERVICE_NAME</c>, else
    /// <c>serving-</c> and the role (<c>serving-gateway</c>, <c>serving-worker</c>, <c>serving-all</c>).
    /// </summary>
    public string? ServiceName { get; set; }
}
