using System.Text.Json.Serialization;

namespace Serving.Gateway.OnCall;

/// <summary><c>GET /console/config.json</c>: the settings the console's script reads at start.</summary>
internal sealed record ConsoleConfig([property: JsonPropertyName("runbook_base_url")] string RunbookBaseUrl);

[JsonSerializable(typeof(ConsoleConfig))]
internal sealed partial class ConsoleJsonContext : JsonSerializerContext;
