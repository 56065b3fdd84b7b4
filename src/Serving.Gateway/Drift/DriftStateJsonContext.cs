using System.Text.Json.Serialization;

namespace Serving.Gateway.Drift;

[JsonSourceGenerationOptions(
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    UseStringEnumConverter = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DriftVersionState))]
internal sealed partial class DriftStateJsonContext : JsonSerializerContext;
