namespace Serving.Core.Rollouts;

/// <summary>The numbers of a <see cref="ShadowComparison"/> at one moment, for the status API and metrics.</summary>
internal sealed record ShadowComparisonSnapshot
{
    /// <summary>The decision threshold the flips are counted at.</summary>
    public double DecisionThreshold { get; init; }

    /// <summary>Requests whose primary and shadow outputs were compared.</summary>
    public long Requests { get; init; }

    /// <summary>Output values compared (pairs with a NaN are not).</summary>
    public long ComparedValues { get; init; }

    /// <summary>Mean of |primary − shadow| over the compared values; NaN when none.</summary>
    public double MeanAbsoluteDifference { get; init; }

    /// <summary>Largest |primary − shadow| seen; 0 when none.</summary>
    public double MaxAbsoluteDifference { get; init; }

    /// <summary>Compared values where one side is at or above the threshold and the other below.</summary>
    public long DecisionFlips { get; init; }

    /// <summary>1 − flips ÷ compared values; NaN when none.</summary>
    public double AgreementRate { get; init; }

    /// <summary>Pairs skipped because either value was NaN.</summary>
    public long NaNValues { get; init; }

    /// <summary>Requests not compared because primary and shadow returned different numbers of values.</summary>
    public long ShapeMismatches { get; init; }

    /// <summary>Shadow calls that failed.</summary>
    public long Errors { get; init; }

    /// <summary>Shadow calls that timed out.</summary>
    public long Timeouts { get; init; }

    /// <summary>Shadow copies not sent because the shadow queue was full.</summary>
    public long Drops { get; init; }
}
