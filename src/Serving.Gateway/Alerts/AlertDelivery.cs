using System.Text.Json.Serialization;

namespace Serving.Gateway.Alerts;

/// <summary>What happened to one alert, kept in a short history for <c>GET /admin/alerts</c>.</summary>
internal sealed record AlertDelivery(
    [property: JsonPropertyName("alert")] Alert Alert,
    [property: JsonPropertyName("queued_at")] DateTimeOffset QueuedAt,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("last_error")] string? LastError);
