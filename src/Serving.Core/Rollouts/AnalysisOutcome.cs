using System.Collections.Immutable;

namespace Serving.Core.Rollouts;

/// <summary>The result of one canary analysis: a verdict, a human-readable reason with the numbers, and every check.</summary>
internal sealed record AnalysisOutcome
{
    /// <summary>Pass, fail or wait.</summary>
    public required AnalysisVerdict Verdict { get; init; }

    /// <summary>Why: for Fail, every failing check with its numbers; for Wait, what is missing; for Pass, a summary.</summary>
    public required string Reason { get; init; }

    /// <summary>Every check that was evaluated (empty for Wait).</summary>
    public ImmutableArray<AnalysisMetric> Metrics { get; init; } = [];

    /// <summary>The numbers of an experiment step's look (arm sizes, means, improvement, interval, p-value); null for a canary analysis.</summary>
    public ExperimentResult? Experiment { get; init; }

    /// <summary>A passing outcome.</summary>
    public static AnalysisOutcome Pass(string reason, ImmutableArray<AnalysisMetric> metrics) =>
        new() { Verdict = AnalysisVerdict.Pass, Reason = reason, Metrics = metrics };

    /// <summary>A failing outcome.</summary>
    public static AnalysisOutcome Fail(string reason, ImmutableArray<AnalysisMetric> metrics) =>
        new() { Verdict = AnalysisVerdict.Fail, Reason = reason, Metrics = metrics };

    /// <summary>Not enough data yet.</summary>
    public static AnalysisOutcome Wait(string reason) => new() { Verdict = AnalysisVerdict.Wait, Reason = reason };
}
