using System.Text.Json.Serialization;

namespace Serving.Gateway.Alerts;

/// <summary>The Alertmanager webhook body, version 4, that the gateway sends and accepts.</summary>
internal sealed record AlertmanagerPayload
{
    [JsonPropertyName("version")]
    public string Version { get; init; } = "4";

    [JsonPropertyName("groupKey")]
    public string GroupKey { get; init; } = "";

    [JsonPropertyName("truncatedAlerts")]
    public int TruncatedAlerts { get; init; }

    /// <summary><c>firing</c> if any alert fires, else <c>resolved</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = "firing";

    [JsonPropertyName("receiver")]
    public string Receiver { get; init; } = "serving";

    [JsonPropertyName("groupLabels")]
    public IReadOnlyDictionary<string, string> GroupLabels { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("commonLabels")]
    public IReadOnlyDictionary<string, string> CommonLabels { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("commonAnnotations")]
    public IReadOnlyDictionary<string, string> CommonAnnotations { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("externalURL")]
    public string ExternalUrl { get; init; } = "";

    [JsonPropertyName("alerts")]
    public IReadOnlyList<Alert> Alerts { get; init; } = [];
}
