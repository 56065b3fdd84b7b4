using System.Text.Json.Serialization;

namespace Serving.Gateway.Alerts;

/// <summary>One alert as Alertmanager's webhook (payload version 4) carries it.</summary>
internal sealed record Alert
{
    /// <summary><c>firing</c> or <c>resolved</c>.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>Identifying labels: <c>alertname</c>, <c>severity</c>, <c>model</c>, <c>version</c>, <c>feature</c>...</summary>
    [JsonPropertyName("labels")]
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary><c>summary</c>, <c>description</c>, <c>runbook_url</c>.</summary>
    [JsonPropertyName("annotations")]
    public required IReadOnlyDictionary<string, string> Annotations { get; init; }

    [JsonPropertyName("startsAt")]
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>When it resolved; Alertmanager's zero time while firing.</summary>
    [JsonPropertyName("endsAt")]
    public DateTimeOffset EndsAt { get; init; } = DateTimeOffset.MinValue;

    [JsonPropertyName("generatorURL")]
    public string GeneratorUrl { get; init; } = "";

    /// <summary>Stable identity of the alert: a hash of its labels.</summary>
    [JsonPropertyName("fingerprint")]
    public string Fingerprint { get; init; } = "";
}
