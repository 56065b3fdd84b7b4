using Serving.Core.Rollouts;

namespace Serving.Core.Tests.Rollouts;

public class ShadowComparisonTests
{
    [Fact]
    public void Record_TwoRequests_MatchesHandComputedNumbers()
    {
        var comparison = new ShadowComparison(0.5);

        // |diffs| 0.1, 0.2, 0.01, 0 ; flips: 0.6 vs 0.4 and 0.5 vs 0.49 (0.5 is at the threshold, so positive).
        Assert.True(comparison.Record([0.1f, 0.6f, 0.5f, 0.9f], [0.2f, 0.4f, 0.49f, 0.9f]));

        // |diff| 0.1, both positive: no flip.
        Assert.True(comparison.Record([0.7f], [0.8f]));
        ShadowComparisonSnapshot snapshot = comparison.Snapshot();

        // 5 values, sum 0.41, 2 flips.
        Assert.Equal(2, snapshot.Requests);
        Assert.Equal(5, snapshot.ComparedValues);
        Assert.Equal(0.082, snapshot.MeanAbsoluteDifference, 1e-6);
        Assert.Equal(0.2, snapshot.MaxAbsoluteDifference, 1e-6);
        Assert.Equal(2, snapshot.DecisionFlips);
        Assert.Equal(0.6, snapshot.AgreementRate, 1e-12);
        Assert.Equal(0.5, snapshot.DecisionThreshold);
    }

    [Fact]
    public void Record_DifferentLengths_CountsMismatchAndComparesNothing()
    {
        var comparison = new ShadowComparison();

        Assert.False(comparison.Record([0.1f, 0.2f], [0.1f]));
        ShadowComparisonSnapshot snapshot = comparison.Snapshot();

        Assert.Equal(1, snapshot.ShapeMismatches);
        Assert.Equal(0, snapshot.Requests);
        Assert.Equal(0, snapshot.ComparedValues);
        Assert.True(double.IsNaN(snapshot.MeanAbsoluteDifference));
        Assert.True(double.IsNaN(snapshot.AgreementRate));
    }

    [Fact]
    public void Record_NaNOnEitherSide_SkipsThePair()
    {
        var comparison = new ShadowComparison(0.5);

        comparison.Record([float.NaN, 0.3f, 0.9f], [0.1f, float.NaN, 0.2f]);
        ShadowComparisonSnapshot snapshot = comparison.Snapshot();

        Assert.Equal(2, snapshot.NaNValues);
        Assert.Equal(1, snapshot.ComparedValues);
        Assert.Equal(0.7, snapshot.MeanAbsoluteDifference, 1e-6);
        Assert.Equal(1, snapshot.DecisionFlips);
        Assert.Equal(0.0, snapshot.AgreementRate);
    }

    [Fact]
    public void RecordFailures_EachCounter_CountsSeparately()
    {
        var comparison = new ShadowComparison();

        comparison.RecordError();
        comparison.RecordTimeout();
        comparison.RecordTimeout();
        comparison.RecordDrop();
        comparison.RecordDrop();
        comparison.RecordDrop();
        ShadowComparisonSnapshot snapshot = comparison.Snapshot();

        Assert.Equal((1, 2, 3), (snapshot.Errors, snapshot.Timeouts, snapshot.Drops));
        Assert.Equal(0, snapshot.Requests);
    }

    [Fact]
    public void Record_ConcurrentWriters_NoLostUpdates()
    {
        var comparison = new ShadowComparison(0.5);
        const int threads = 4;
        const int perThread = 20_000;

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (int i = 0; i < perThread; i++)
            {
                // One flip (0.25 vs 0.75) and one agreement (0.75 vs 0.75) per call.
                comparison.Record([0.25f, 0.75f], [0.75f, 0.75f]);
            }
        });
        ShadowComparisonSnapshot snapshot = comparison.Snapshot();

        Assert.Equal(threads * perThread, snapshot.Requests);
        Assert.Equal(2L * threads * perThread, snapshot.ComparedValues);
        Assert.Equal((long)threads * perThread, snapshot.DecisionFlips);
        Assert.Equal(0.5, snapshot.AgreementRate, 1e-12);
        Assert.Equal(0.25, snapshot.MeanAbsoluteDifference, 1e-9);
        Assert.Equal(0.5, snapshot.MaxAbsoluteDifference);
    }

    [Fact]
    public void Constructor_NonFiniteThreshold_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShadowComparison(double.NaN));
    }
}
