using Serving.Core.Outcomes;
using Serving.Core.Rollouts;
using Serving.Testing.Rollouts;
using Xunit.Abstractions;

namespace Serving.Core.Tests.Rollouts;

/// <summary>
/// The experiment step end to end on synthetic labelled predictions: per-prediction metric values
/// (<see cref="OutcomeMetrics"/>), accumulated as running sums the way the shared store keeps them
/// (<see cref="SampleMoments.FromSums"/>), judged by <see cref="ExperimentAnalyzer"/> at every look.
/// </summary>
public class ExperimentAnalyzerTests(ITestOutputHelper output)
{
    private const int PeekEvery = 100;
    private const int MaxPerArm = 5000;

    private static readonly ExperimentStep Accuracy = RolloutStep.Experiment("accuracy", 0.02, TimeSpan.FromMinutes(1));

    [Fact]
    public void Evaluate_FortyAaExperimentsPeekedEveryStep_AtMostFourPass()
    {
        var random = new Random(14);
        int passed = 0, failed = 0;
        for (int e = 0; e < 40; e++)
        {
            AnalysisVerdict verdict = Run(random, 0.90, 0.90, Accuracy);
            passed += verdict == AnalysisVerdict.Pass ? 1 : 0;
            failed += verdict == AnalysisVerdict.Fail ? 1 : 0;
        }

        output.WriteLine($"40 A/A accuracy experiments peeked every {PeekEvery} per arm: {passed} pass, {failed} fail");
        Assert.True(passed <= 4, $"{passed} of 40 A/A experiments passed");
        Assert.True(failed <= 4, $"{failed} of 40 A/A experiments failed");
    }

    [Fact]
    public void Evaluate_CanaryMoreAccurate_Passes()
    {
        var random = new Random(15);
        int passed = 0;
        for (int e = 0; e < 40; e++)
        {
            passed += Run(random, 0.87, 0.90, Accuracy) == AnalysisVerdict.Pass ? 1 : 0;
        }

        output.WriteLine($"40 A/B experiments, accuracy 0.87 -> 0.90: {passed} pass");
        Assert.True(passed >= 34, $"only {passed} of 40 passed");
    }

    [Fact]
    public void Evaluate_CanaryWorseLogLoss_FailsWithTheNumbers()
    {
        // Lower is better: the canary's probabilities are further from the labels.
        var step = RolloutStep.Experiment("log_loss", 0.05, TimeSpan.FromMinutes(1));
        var random = new Random(16);
        AnalysisOutcome? outcome = null;
        var sums = new ArmSums[2];
        for (int n = 0; n < MaxPerArm && outcome?.Verdict is not AnalysisVerdict.Fail; n++)
        {
            int y = random.NextDouble() < 0.3 ? 1 : 0;
            sums[0].Add(step, Prediction(y == 1 ? 0.6 : 0.25, y));
            sums[1].Add(step, Prediction(y == 1 ? 0.45 : 0.4, y));
            if ((n + 1) % PeekEvery == 0)
            {
                outcome = ExperimentAnalyzer.Evaluate(step, sums[0].Moments, sums[1].Moments);
            }
        }

        Assert.Equal(AnalysisVerdict.Fail, outcome!.Verdict);
        ExperimentResult r = outcome.Experiment!;
        Assert.False(r.HigherIsBetter);
        Assert.True(r.CanaryMean > r.StableMean);
        Assert.True(r.Upper < 0 && r.Effect < 0);
        Assert.Equal(r.StableMean - r.CanaryMean, r.Effect, 12);
        Assert.Contains("significant harm", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("always-valid interval", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_AaWithMargin_PassesAsNonInferior()
    {
        var step = Accuracy with { NonInferiorityMargin = 0.03 };
        int passed = 0;
        var random = new Random(17);
        for (int e = 0; e < 20; e++)
        {
            passed += Run(random, 0.90, 0.90, step) == AnalysisVerdict.Pass ? 1 : 0;
        }

        Assert.True(passed >= 17, $"only {passed} of 20 passed as non-inferior");
    }

    [Fact]
    public void Evaluate_InconclusiveAtMaxSamples_Fails()
    {
        var step = Accuracy with { MaxSamplesPerArm = 200 };
        var stable = SampleMoments.FromSums(200, 180, 180);
        var canary = SampleMoments.FromSums(200, 181, 181);

        AnalysisOutcome outcome = ExperimentAnalyzer.Evaluate(step, stable, canary);

        Assert.Equal(AnalysisVerdict.Fail, outcome.Verdict);
        Assert.Contains("inconclusive after 200 observations per arm", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_TooFewPerArm_WaitsAndSaysHowMany()
    {
        AnalysisOutcome outcome = ExperimentAnalyzer.Evaluate(Accuracy, SampleMoments.FromSums(50, 45, 45), SampleMoments.FromSums(500, 300, 300));

        Assert.Equal(AnalysisVerdict.Wait, outcome.Verdict);
        Assert.Equal(50, outcome.Experiment!.StableCount);
        Assert.Contains("need 100 labelled predictions per arm", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ValueMetric_SkipsPredictionsWithoutValue()
    {
        var sums = default(ArmSums);
        var step = RolloutStep.Experiment("value", 5, TimeSpan.FromMinutes(1));
        sums.Add(step, Prediction(0.5, 1, value: 10));
        sums.Add(step, Prediction(0.5, 1, value: null));
        sums.Add(step, Prediction(0.5, 0, value: 20));

        Assert.Equal(2, sums.Moments.Count);
        Assert.Equal(15, sums.Moments.Mean, 12);
        Assert.Equal(50, sums.Moments.Variance, 9);
    }

    private static AnalysisVerdict Run(Random random, double stableRate, double canaryRate, ExperimentStep step)
    {
        var sums = new ArmSums[2];
        for (int n = 0; n < MaxPerArm; n++)
        {
            sums[0].Add(step, Correct(random, stableRate));
            sums[1].Add(step, Correct(random, canaryRate));
            if ((n + 1) % PeekEvery == 0)
            {
                AnalysisVerdict verdict = ExperimentAnalyzer.Evaluate(step, sums[0].Moments, sums[1].Moments).Verdict;
                if (verdict != AnalysisVerdict.Wait)
                {
                    return verdict;
                }
            }
        }

        return AnalysisVerdict.Wait;
    }

    /// <summary>A classifier prediction that is right with probability <paramref name="rate"/> at threshold 0.5.</summary>
    private static LabelledPrediction Correct(Random random, double rate)
    {
        int y = random.NextDouble() < 0.5 ? 1 : 0;
        bool right = random.NextDouble() < rate;
        return Prediction(right == (y == 1) ? 0.8 : 0.2, y);
    }

    private static LabelledPrediction Prediction(double score, int label, double? value = null) =>
        new("m", "1", "stable", "id", score, label, value, RolloutFixtures.T0, RolloutFixtures.T0);

    /// <summary>n, Σx, Σx² of an arm, as the shared experiment store keeps them.</summary>
    private struct ArmSums
    {
        private long _count;
        private double _sum;
        private double _sumOfSquares;

        public readonly SampleMoments Moments => SampleMoments.FromSums(_count, _sum, _sumOfSquares);

        public void Add(ExperimentStep step, LabelledPrediction prediction)
        {
            Assert.True(OutcomeMetrics.TryParse(step.Metric, out var metric));
            if (OutcomeMetrics.TryGetValue(metric, prediction, step.DecisionThreshold, out double x))
            {
                _count++;
                _sum += x;
                _sumOfSquares += x * x;
            }
        }
    }
}
