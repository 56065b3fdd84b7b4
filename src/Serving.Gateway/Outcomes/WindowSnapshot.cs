namespace Serving.Gateway.Outcomes;

/// <summary>A copy of a <see cref="PerformanceWindow"/>: labelled pairs and recent scores, oldest first, and the totals ever seen.</summary>
internal sealed record WindowSnapshot(double[] Scores, double[] Labels, double[] RecentScores, long TotalLabelled, long TotalPredicted);
