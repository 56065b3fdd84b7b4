using System.Text.Json;
using Serving.Core.Outcomes;
using Xunit.Abstractions;

namespace Serving.Core.Tests.Outcomes;

public class ConfidenceBasedPerformanceTests(ITestOutputHelper output)
{
    private const int Windows = 20;
    private const int WindowSize = 5000;
    private const double Threshold = 0.5;

    /// <summary>Documented tolerance of the estimate on calibrated traffic (about 4 standard errors of the realised accuracy at n = 5,000).</summary>
    private const double AccuracyTolerance = 0.025;

    /// <summary>Documented tolerance of the expected AUC on calibrated traffic (about 4 DeLong standard errors at n = 5,000).</summary>
    private const double AucTolerance = 0.03;

    private const string File = "cbpe.json";

    public static TheoryData<string> Cases => OutcomeFixtures.CaseNames(File, "cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Expected_NannyMlConstruction_MatchesAccuracyAndTrapezoidAuc(string name)
    {
        JsonElement c = OutcomeFixtures.Case(File, "cases", name);
        double[] probabilities = OutcomeFixtures.Doubles(c, "probabilities");

        Assert.Equal(c.GetProperty("expected_accuracy").GetDouble(),
            ConfidenceBasedPerformance.ExpectedAccuracy(probabilities, c.GetProperty("threshold").GetDouble()),
            OutcomeFixtures.Tolerance);
        Assert.Equal(c.GetProperty("expected_auc").GetDouble(),
            ConfidenceBasedPerformance.ExpectedAuc(probabilities), OutcomeFixtures.Tolerance);
    }

    [Fact]
    public void Estimate_CalibratedTraffic_WithinToleranceOfRealisedPerformance()
    {
        var random = new Random(2021);
        double worstAccuracy = 0;
        double worstAuc = 0;
        for (int w = 0; w < Windows; w++)
        {
            // Calibrated by construction: the label is drawn with the probability the model predicts.
            (double[] probabilities, int[] labels) = Window(random, static p => p);
            ClassifierPerformance realised = ClassifierPerformance.Compute(probabilities, labels, Threshold);

            worstAccuracy = Math.Max(worstAccuracy,
                Math.Abs(ConfidenceBasedPerformance.ExpectedAccuracy(probabilities, Threshold) - realised.Accuracy.Value));
            worstAuc = Math.Max(worstAuc,
                Math.Abs(ConfidenceBasedPerformance.ExpectedAuc(probabilities) - realised.Auc.Value));
        }

        output.WriteLine($"windows={Windows} n={WindowSize} worst |accuracy gap|={worstAccuracy:F4} worst |AUC gap|={worstAuc:F4}");
        Assert.True(worstAccuracy <= AccuracyTolerance, $"accuracy gap {worstAccuracy}");
        Assert.True(worstAuc <= AucTolerance, $"AUC gap {worstAuc}");
    }

    [Fact]
    public void Estimate_OverconfidentModel_OverstatesAccuracy()
    {
        var random = new Random(2022);

        // The truth is Bernoulli(q) but the model reports a sharpened q: the calibration assumption fails.
        (double[] probabilities, int[] labels) = Window(random, static q => q < 0.5 ? q * q * 2 : 1 - (1 - q) * (1 - q) * 2);
        ClassifierPerformance realised = ClassifierPerformance.Compute(probabilities, labels, Threshold);
        double estimated = ConfidenceBasedPerformance.ExpectedAccuracy(probabilities, Threshold);

        output.WriteLine($"overconfident: estimated accuracy={estimated:F4} realised={realised.Accuracy.Value:F4}");
        Assert.True(estimated - realised.Accuracy.Value > 0.05, $"estimated {estimated} realised {realised.Accuracy.Value}");
    }

    /// <summary>A window whose labels are Bernoulli(q), q ~ U(0, 1)², and whose reported probability is report(q).</summary>
    private static (double[] Probabilities, int[] Labels) Window(Random random, Func<double, double> report)
    {
        var probabilities = new double[WindowSize];
        var labels = new int[WindowSize];
        for (int i = 0; i < WindowSize; i++)
        {
            double u = random.NextDouble();
            double q = u * u;
            labels[i] = random.NextDouble() < q ? 1 : 0;
            probabilities[i] = report(q);
        }

        return (probabilities, labels);
    }
}
