using System.Text.Json.Serialization;
using Serving.Gateway.Remote;

namespace Serving.Gateway.Protocol;

/// <summary><c>GET /v2</c>.</summary>
internal sealed record ServerMetadataResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("extensions")] IReadOnlyList<string> Extensions);

/// <summary>A tensor in model metadata; -1 marks a dynamic dimension.</summary>
internal sealed record TensorMetadata(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("datatype")] string Datatype,
    [property: JsonPropertyName("shape")] IReadOnlyList<long> Shape);

/// <summary>The state of one version, an extension to model metadata that tells operators why a version is not serving.</summary>
internal sealed record VersionStatus(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("execution_provider")] string ExecutionProvider,
    [property: JsonPropertyName("reason")] string? Reason);

/// <summary><c>GET /v2/models/{m}[/versions/{v}]</c>.</summary>
internal sealed record ModelMetadataResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("versions")] IReadOnlyList<string> Versions,
    [property: JsonPropertyName("platform")] string Platform,
    [property: JsonPropertyName("inputs")] IReadOnlyList<TensorMetadata> Inputs,
    [property: JsonPropertyName("outputs")] IReadOnlyList<TensorMetadata> Outputs,
    [property: JsonPropertyName("version_status")] IReadOnlyList<VersionStatus> VersionStatus);

/// <summary>The body of every error response.</summary>
internal sealed record ErrorResponse([property: JsonPropertyName("error")] string Error);

/// <summary><c>GET /v2/health/ready</c> detail.</summary>
internal sealed record ReadinessResponse(
    [property: JsonPropertyName("ready")] bool Ready,
    [property: JsonPropertyName("registry")] string Registry,
    [property: JsonPropertyName("models")] IReadOnlyList<ModelReadiness> Models,
    [property: JsonPropertyName("workers"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<WorkerReadiness>? Workers = null,
    [property: JsonPropertyName("drift_unavailable"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? DriftUnavailable = null);

/// <summary>Readiness of one model in the readiness detail.</summary>
internal sealed record ModelReadiness(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("ready")] bool Ready,
    [property: JsonPropertyName("versions")] IReadOnlyList<VersionStatus> Versions,
    [property: JsonPropertyName("degraded"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Degraded = null);

[JsonSerializable(typeof(ServerMetadataResponse))]
[JsonSerializable(typeof(ModelMetadataResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ReadinessResponse))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext
{
    /// <summary>Like <see cref="JsonSerializerContext"/>'s default, but leaves quotes and non-ASCII readable in messages.</summary>
    public static ProtocolJsonContext Readable { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
