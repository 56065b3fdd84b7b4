using System.Text.Json.Serialization;

namespace Serving.Gateway.ConceptDrift;

/// <summary>
/// One version's concept-drift alarm as <c>/admin/drift/{model}</c> shows it under <c>concept_drift</c>: the state,
/// the detector's numbers and, while firing, since when and what it saw at the last detection.
/// </summary>
internal sealed record ConceptDriftStatus
{
    /// <summary><c>ok</c> or <c>firing</c>.</summary>
    [JsonPropertyName("state")]
    public required string State { get; init; }

    /// <summary><c>classifier</c>, <c>regressor</c>, or <c>unknown</c> before the first label.</summary>
    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    /// <summary>Labelled predictions seen (since start-up on this replica).</summary>
    [JsonPropertyName("labelled")]
    public long Labelled { get; init; }

    /// <summary>Errors the detector has taken since it started or last alarmed.</summary>
    [JsonPropertyName("observations")]
    public long Observations { get; init; }

    /// <summary>The mean of those errors: the baseline the detector compares against.</summary>
    [JsonPropertyName("baseline_error")]
    public double BaselineError { get; init; }

    /// <summary>The mean error of the recent labelled predictions (exponential average over about 100).</summary>
    [JsonPropertyName("recent_error")]
    public double RecentError { get; init; }

    /// <summary>The Page–Hinkley statistic m_T − min m_t.</summary>
    [JsonPropertyName("statistic")]
    public double Statistic { get; init; }

    /// <summary>λ: the alarm fires when the statistic exceeds it.</summary>
    [JsonPropertyName("threshold")]
    public double Threshold { get; init; }

    /// <summary>δ: the tolerated rise in mean error.</summary>
    [JsonPropertyName("delta")]
    public double Delta { get; init; }

    /// <summary>Alarms raised (detections) since start-up or restore.</summary>
    [JsonPropertyName("detections")]
    public long Detections { get; init; }

    /// <summary>When the firing alarm began; null while ok.</summary>
    [JsonPropertyName("since")]
    public DateTimeOffset? Since { get; init; }

    /// <summary>When the last detection happened; the alarm resolves <see cref="ConceptDriftOptions.Hold"/> after it.</summary>
    [JsonPropertyName("last_detection_at")]
    public DateTimeOffset? LastDetectionAt { get; init; }

    /// <summary>What the detector saw at the last detection (the alert's description).</summary>
    [JsonPropertyName("description")]
    public string? Description { get; init; }
}
