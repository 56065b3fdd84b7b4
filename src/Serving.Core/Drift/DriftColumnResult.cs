using System.Collections.Immutable;

namespace Serving.Core.Drift;

/// <summary>
/// One column's drift over one window: the statistics, the histograms behind PSI, the verdict, and the
/// alarm. What <c>GET /admin/drift/{model}</c> renders and the Prometheus gauges export.
/// </summary>
internal sealed record DriftColumnResult
{
    /// <summary>The alarm's name: the column name, or <c>missing:</c> and the column name for its missing-rate alarm.</summary>
    public required string Name { get; init; }

    /// <summary>The column the alarm watches.</summary>
    public required string Column { get; init; }

    /// <summary>Feature or output.</summary>
    public required DriftColumnKind Kind { get; init; }

    /// <summary>What is tested: KS (continuous), chi-square (categorical) or the missing rate.</summary>
    public required DriftTest Test { get; init; }

    /// <summary>PSI over the frozen bins; NaN when either side has no values or for a missing-rate alarm.</summary>
    public required double Psi { get; init; }

    /// <summary>The p-value of the PSI under no drift (PSI · n·m/(n+m) ~ χ²(bins − 1)), before adjustment; NaN when not computed.</summary>
    public required double PsiPValue { get; init; }

    /// <summary>The raw chi-square p-value (categorical and missing-rate alarms); NaN otherwise.</summary>
    public required double ChiSquarePValue { get; init; }

    /// <summary>The live missing (NaN or ±∞) rate of the column in the window; NaN for an empty window.</summary>
    public required double MissingRate { get; init; }

    /// <summary>The reference's missing rate of the column.</summary>
    public required double ReferenceMissingRate { get; init; }

    /// <summary>The KS statistic D; NaN when either sample is empty.</summary>
    public required double KsStatistic { get; init; }

    /// <summary>The raw p-value of the alarm's test (KS, or chi-square); NaN when not tested.</summary>
    public required double PValue { get; init; }

    /// <summary>That p-value after the model-wide multiple-testing adjustment; NaN when not tested.</summary>
    public required double AdjustedPValue { get; init; }

    /// <summary>Which distribution the p-value came from; null when not tested.</summary>
    public required KolmogorovSmirnovMethod? KsMethod { get; init; }

    /// <summary>Live non-NaN values counted in the bins.</summary>
    public required long LiveCount { get; init; }

    /// <summary>Live values in the KS sample (at most the window's sample capacity, or the merged total).</summary>
    public required int LiveSampleCount { get; init; }

    /// <summary>Live NaN values.</summary>
    public required long LiveMissingCount { get; init; }

    /// <summary>Reference non-NaN values counted in the bins.</summary>
    public required long ReferenceCount { get; init; }

    /// <summary>Reference values in the KS sample.</summary>
    public required int ReferenceSampleCount { get; init; }

    /// <summary>
    /// The interior bin edges (bins are (−∞, e₁), [e₁, e₂), …, [e_k, +∞)); for a categorical column its
    /// categories (one bin each, then the unseen bucket); empty for a missing-rate alarm (bins: present, missing).
    /// </summary>
    public required ImmutableArray<double> BinEdges { get; init; }

    /// <summary>Reference proportion per bin (raw, before the PSI floor).</summary>
    public required ImmutableArray<double> ReferenceProportions { get; init; }

    /// <summary>Live proportion per bin (raw, before the PSI floor); zeros when the window had none.</summary>
    public required ImmutableArray<double> LiveProportions { get; init; }

    /// <summary>The window's verdict.</summary>
    public required DriftVerdict Verdict { get; init; }

    /// <summary>The window's severity: None unless the verdict is Drift.</summary>
    public required DriftSeverity Severity { get; init; }

    /// <summary>The alarm state after this window.</summary>
    public required AlarmState AlarmState { get; init; }

    /// <summary>Since when the alarm has been in <see cref="AlarmState"/>.</summary>
    public required DateTimeOffset AlarmSince { get; init; }

    /// <summary>The alarm's severity (worst of the streak or firing episode).</summary>
    public required DriftSeverity AlarmSeverity { get; init; }

    /// <summary>The ends of the drifting windows behind a Pending or Firing alarm (among its last n), oldest first.</summary>
    public required ImmutableArray<DateTimeOffset> AlarmWindows { get; init; }
}
