using System.Collections.Immutable;

namespace Serving.Core.Drift;

/// <summary>The drift of one model version over one closed window, and the alarm steps it caused.</summary>
internal sealed record DriftEvaluation
{
    /// <summary>The model name.</summary>
    public required string Model { get; init; }

    /// <summary>The model version.</summary>
    public required string Version { get; init; }

    /// <summary>When the window opened.</summary>
    public required DateTimeOffset WindowStart { get; init; }

    /// <summary>When the window closed.</summary>
    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>Rows in the window.</summary>
    public required long RowCount { get; init; }

    /// <summary>When the evaluation ran.</summary>
    public required DateTimeOffset EvaluatedAt { get; init; }

    /// <summary>The multiple-testing correction applied to the p-values.</summary>
    public required MultipleTestingCorrection Correction { get; init; }

    /// <summary>Per alarm: every column's distribution (features then outputs), then every column's missing rate.</summary>
    public required ImmutableArray<DriftColumnResult> Columns { get; init; }

    /// <summary>The alarm steps this window caused, in column order; empty when nothing changed.</summary>
    public required ImmutableArray<AlarmTransition> Transitions { get; init; }
}
