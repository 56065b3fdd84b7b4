using System.Text.Json.Serialization;
using Serving.Gateway.ConceptDrift;
using Serving.Gateway.Drift;

namespace Serving.Gateway.Admin;

/// <summary><c>GET /admin/drift/{model}</c>: the drift picture of every loaded version of a model.</summary>
internal sealed record DriftStatusResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("versions")] IReadOnlyList<VersionDriftStatus> Versions);

/// <summary>
/// One version's drift: its status (<c>monitored</c>, <c>unavailable</c> with the reason, or
/// <c>not_monitored</c> when it ships no reference), the last closed window's numbers per alarm, and the
/// last closed windows (<c>?history=N</c>, oldest first).
/// </summary>
internal sealed record VersionDriftStatus(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("monitored")] bool Monitored,
    [property: JsonPropertyName("current_window_rows")] long CurrentWindowRows,
    [property: JsonPropertyName("current_window_start")] DateTimeOffset? CurrentWindowStart,
    [property: JsonPropertyName("pooled_rows")] long PooledRows,
    [property: JsonPropertyName("window")] DriftWindowStatus? Window,
    [property: JsonPropertyName("thresholds")] DriftThresholdsStatus? Thresholds,
    [property: JsonPropertyName("columns")] IReadOnlyList<DriftHistoryColumn> Columns,
    [property: JsonPropertyName("history")] IReadOnlyList<DriftHistoryWindow> History)
{
    /// <summary>The version's concept-drift alarm (outcome-based); null before its first labelled prediction on this replica.</summary>
    [JsonPropertyName("concept_drift")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ConceptDriftStatus? ConceptDrift { get; init; }
}

/// <summary>The last evaluated window.</summary>
internal sealed record DriftWindowStatus(
    [property: JsonPropertyName("start")] DateTimeOffset Start,
    [property: JsonPropertyName("end")] DateTimeOffset End,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("evaluated_at")] DateTimeOffset EvaluatedAt,
    [property: JsonPropertyName("correction")] string Correction);

/// <summary>The thresholds the version is judged by.</summary>
internal sealed record DriftThresholdsStatus(
    [property: JsonPropertyName("psi_warning")] double PsiWarning,
    [property: JsonPropertyName("psi_critical")] double PsiCritical,
    [property: JsonPropertyName("ks_pvalue")] double KsPValue,
    [property: JsonPropertyName("min_samples")] long MinimumSamples,
    [property: JsonPropertyName("fire_after")] int FireAfter,
    [property: JsonPropertyName("fire_window")] int FireWindow,
    [property: JsonPropertyName("resolve_after")] int ResolveAfter,
    [property: JsonPropertyName("missing_rate_warning")] double MissingRateWarning,
    [property: JsonPropertyName("missing_rate_critical")] double MissingRateCritical);

[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(DriftStatusResponse))]
internal sealed partial class DriftJsonContext : JsonSerializerContext;
