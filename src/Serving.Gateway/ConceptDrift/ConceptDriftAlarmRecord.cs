using System.Text.Json.Serialization;

namespace Serving.Gateway.ConceptDrift;

/// <summary>A firing concept-drift alarm as persisted between restarts (<c>&lt;state directory&gt;/concept-drift.json</c>).</summary>
internal sealed record ConceptDriftAlarmRecord(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("last_detection_at")] DateTimeOffset LastDetectionAt,
    [property: JsonPropertyName("detections")] long Detections,
    [property: JsonPropertyName("description")] string Description);
