using System.Collections.Immutable;

namespace Serving.Core.Drift;

/// <summary>
/// One column's drift over one window: the statistics, the histograms behind PSI, the verdict, and the
/// alarm. What <c>GET /admin/drift/{model}</c> renders and the Prometheus gauges export.
/// </summary>
internal sealed record DriftColumnResult
{
    /// <summary>The column name.</summary>
    public required string Name { get; init; }

    /// <summary>Feature or output.</summary>
    public required DriftColumnKind Kind { get; init; }

    /// <summary>PSI over the frozen bins; NaN when either side has no values.</summary>
    public required double Psi { get; init; }

    /// <summary>The KS statistic D; NaN when either sample is empty.</summary>
    public required double KsStatistic { get; init; }

    /// <summary>The raw two-sided KS p-value; NaN when not tested.</summary>
    public required double PValue { get; init; }

    /// <summary>The p-value after the model-wide multiple-testing adjustment; NaN when not tested.</summary>
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

    /// <summary>The interior bin edges (bins are (−∞, e₁), [e₁, e₂), …, [e_k, +∞)).</summary>
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
}
