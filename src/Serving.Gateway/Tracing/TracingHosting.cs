using System.Diagnostics;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Serving.Gateway.Tracing;

/// <summary>
/// Registers OpenTelemetry tracing with the OTLP exporter when <see cref="TracingOptions"/> (or the
/// standard <c>OTEL_*</c> variables) name a collector, and nothing otherwise.
/// </summary>
internal static class TracingHosting
{
    /// <summary>
    /// Adds tracing: ASP.NET Core's server spans (REST and gRPC; the W3C <c>traceparent</c> a client
    /// sends is their parent), HttpClient's client spans of requests forwarded to workers (which carry
    /// the context on), and the gateway's own spans (<see cref="ServingActivities"/>). When off, nothing
    /// is registered: no listener is attached to any activity source, so no span is ever created.
    /// </summary>
    /// <param name="builder">The application being built.</param>
    /// <param name="roleName">What this process does (<c>all</c>, <c>gateway</c>, <c>worker</c>): the <c>serving.role</c> attribute, and the default service name <c>serving-{role}</c>.</param>
    public static WebApplicationBuilder AddServingTracing(this WebApplicationBuilder builder, string roleName)
    {
        var configuration = builder.Configuration;
        var options = configuration.GetSection(TracingOptions.Section).Get<TracingOptions>() ?? new TracingOptions();
        if (!IsEnabled(configuration, options))
        {
            return builder;
        }
        var protocol = Protocol(options.OtlpProtocol ?? configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        var endpoint = string.IsNullOrWhiteSpace(options.OtlpEndpoint) ? null : Endpoint(options.OtlpEndpoint, protocol);
        var sampler = options.SamplingRatio is { } ratio ? Sampler(ratio) : null;
        var serviceName = options.ServiceName ?? configuration["OTEL_SERVICE_NAME"] ?? "serving-" + roleName;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(serviceName)
                .AddAttributes([new KeyValuePair<string, object>("serving.role", roleName)]))
            .WithTracing(tracing =>
            {
                tracing.AddSource(ServingActivities.SourceName)
                    .AddAspNetCoreInstrumentation(static o => o.Filter = static context => !IsInfrastructure(context.Request.Path))
                    // Only requests made inside a trace (forwarding); the health probes and alert deliveries
                    // that start on their own would each be a one-span trace.
                    .AddHttpClientInstrumentation(static o => o.FilterHttpRequestMessage = static _ => Activity.Current?.Parent is not null)
                    .AddOtlpExporter(otlp =>
                    {
                        otlp.Protocol = protocol;
                        if (endpoint is not null)
                        {
                            otlp.Endpoint = endpoint;
                        }
                    });
                if (sampler is not null)
                {
                    tracing.SetSampler(sampler);
                }
            });
        return builder;
    }

    /// <summary>On when an OTLP endpoint is configured and <c>OTEL_SDK_DISABLED</c> is not <c>true</c>.</summary>
    internal static bool IsEnabled(IConfiguration configuration, TracingOptions options) =>
        !string.Equals(configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase)
        && (!string.IsNullOrWhiteSpace(options.OtlpEndpoint)
            || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
            || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]));

    /// <summary>Probes and scrapes: their server spans are not recorded (their context still propagates).</summary>
    private static bool IsInfrastructure(PathString path) =>
        path.StartsWithSegments("/v2/health") || path.StartsWithSegments("/metrics");

    private static OtlpExportProtocol Protocol(string? name) => name switch
    {
        null or "" or "grpc" => OtlpExportProtocol.Grpc,
        "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
        _ => throw new InvalidOperationException($"{TracingOptions.Section}:OtlpProtocol must be 'grpc' or 'http/protobuf'; got '{name}'."),
    };

    /// <summary>The exporter's address: the collector's, with the traces path added for OTLP over HTTP (as the standard variable is).</summary>
    private static Uri Endpoint(string text, OtlpExportProtocol protocol)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"{TracingOptions.Section}:OtlpEndpoint must be an http:// or https:// address; got '{text}'.");
        }
        return protocol == OtlpExportProtocol.HttpProtobuf && uri.AbsolutePath == "/" ? new Uri(uri, "v1/traces") : uri;
    }

    private static ParentBasedSampler Sampler(double ratio)
    {
        if (!(ratio is >= 0 and <= 1))
        {
            throw new InvalidOperationException($"{TracingOptions.Section}:SamplingRatio must be between 0 and 1; got {ratio}.");
        }
        return new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio));
    }
}
