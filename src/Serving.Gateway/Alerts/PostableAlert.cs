using System.Text.Json.Serialization;

namespace Serving.Gateway.Alerts;

/// <summary>One alert as Alertmanager's API takes it (<c>POST /api/v2/alerts</c>, a JSON array of these).</summary>
internal sealed record PostableAlert(
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string> Annotations,
    [property: JsonPropertyName("startsAt")] DateTimeOffset StartsAt,
    [property: JsonPropertyName("endsAt")] DateTimeOffset EndsAt,
    [property: JsonPropertyName("generatorURL")] string GeneratorUrl);
