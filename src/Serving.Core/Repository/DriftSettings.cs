using System.Text.Json.Serialization;

namespace Serving.Core.Repository;

/// <summary>Per-model drift settings, the <c>drift</c> section of <c>model.json</c>; null fields take the gateway's defaults.</summary>
public sealed record DriftSettings
{
    /// <summary>PSI at or above which a feature is drifting (warning).</summary>
    [JsonPropertyName("psi_warning")]
    public double? PsiWarning { get; init; }

    /// <summary>PSI at or above which drift is critical.</summary>
    [JsonPropertyName("psi_critical")]
    public double? PsiCritical { get; init; }

    /// <summary>KS p-value (after multiple-testing correction) below which a feature has drifted.</summary>
    [JsonPropertyName("ks_pvalue")]
    public double? KsPValue { get; init; }

    /// <summary><c>benjamini-hochberg</c>, <c>bonferroni</c> or <c>none</c>.</summary>
    [JsonPropertyName("correction")]
    public string? Correction { get; init; }

    /// <summary>A floor on the rows a window needs for a verdict (the derived minimum is 5 per bin); smaller windows are pooled.</summary>
    [JsonPropertyName("min_samples")]
    public int? MinimumSamples { get; init; }

    /// <summary>Drifting windows among the last <see cref="FireWindow"/> before an alarm fires.</summary>
    [JsonPropertyName("fire_after")]
    public int? FireAfter { get; init; }

    /// <summary>How many of the last windows the fire rule counts drifting ones in (k of n: <see cref="FireAfter"/> of this).</summary>
    [JsonPropertyName("fire_window")]
    public int? FireWindow { get; init; }

    /// <summary>A change of a column's missing rate (absolute) that is a warning.</summary>
    [JsonPropertyName("missing_rate_warning")]
    public double? MissingRateWarning { get; init; }

    /// <summary>A change of a column's missing rate (absolute) that is critical.</summary>
    [JsonPropertyName("missing_rate_critical")]
    public double? MissingRateCritical { get; init; }

    /// <summary>Columns to test as categorical (chi-square over their values) whatever their number of distinct values.</summary>
    [JsonPropertyName("categorical")]
    public IReadOnlyList<string>? Categorical { get; init; }

    /// <summary>Consecutive good windows before a firing alarm resolves.</summary>
    [JsonPropertyName("resolve_after")]
    public int? ResolveAfter { get; init; }

    /// <summary>Rows after which a window closes.</summary>
    [JsonPropertyName("window_rows")]
    public long? WindowRows { get; init; }

    /// <summary>Seconds after which a window closes, whatever its row count.</summary>
    [JsonPropertyName("window_seconds")]
    public double? WindowSeconds { get; init; }
}
