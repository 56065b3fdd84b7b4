using System.Text.Json;
using Serving.Core.Outcomes;
using Xunit.Abstractions;

namespace Serving.Core.Tests.Outcomes;

public class SequentialTestTests(ITestOutputHelper output)
{
    private const string File = "msprt.json";
    private const int Experiments = 40;
    private const int PeekEvery = 100;
    private const int MaxPerArm = 5000;
    private const double BaseRate = 0.10;

    private static readonly SequentialTestOptions RateOptions = new() { MixtureStandardDeviation = 0.02 };

    public static TheoryData<string> Cases => OutcomeFixtures.CaseNames(File, "cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_NumericallyIntegratedMixture_MatchesIntervalPValueAndDecision(string name)
    {
        JsonElement c = OutcomeFixtures.Case(File, "cases", name);
        var options = new SequentialTestOptions
        {
            MixtureStandardDeviation = c.GetProperty("tau").GetDouble(),
            Alpha = c.GetProperty("alpha").GetDouble(),
            NonInferiorityMargin = c.GetProperty("margin").GetDouble(),
            HigherIsBetter = c.GetProperty("higher_is_better").GetBoolean(),
        };

        SequentialTestResult result = SequentialTest.Evaluate(
            SampleMoments.Of(OutcomeFixtures.Doubles(c, "control")), SampleMoments.Of(OutcomeFixtures.Doubles(c, "treatment")), options);

        Assert.Equal(c.GetProperty("effect").GetDouble(), result.Effect, OutcomeFixtures.Tolerance);
        Assert.Equal(c.GetProperty("lower").GetDouble(), result.Lower, OutcomeFixtures.Tolerance);
        Assert.Equal(c.GetProperty("upper").GetDouble(), result.Upper, OutcomeFixtures.Tolerance);
        Assert.Equal(c.GetProperty("p_value").GetDouble(), result.PValue, OutcomeFixtures.Tolerance);
        Assert.Equal(Enum.Parse<ExperimentDecision>(c.GetProperty("decision").GetString()!), result.Decision);
    }

    [Theory]
    [InlineData(Experiments, 40, 4)] // the check: at most 4 of 40 pass at alpha = 0.05
    [InlineData(400, 400, 20)] // a larger run: at most 5 % of experiments pass
    public void Evaluate_AaExperimentsPeekedEvery100_FewPass(int experiments, int seed, int maxPassed)
    {
        var random = new Random(seed);
        var outcomes = new int[3];
        int fixedHorizonSignificant = 0;
        for (int e = 0; e < experiments; e++)
        {
            (ExperimentDecision decision, bool naive) = Run(random, BaseRate, BaseRate, RateOptions);
            outcomes[(int)decision]++;
            fixedHorizonSignificant += naive ? 1 : 0;
        }

        output.WriteLine($"A/A: {experiments} experiments, peek every {PeekEvery} per arm up to {MaxPerArm}: " +
            $"mSPRT pass={outcomes[(int)ExperimentDecision.Pass]} fail={outcomes[(int)ExperimentDecision.Fail]} wait={outcomes[(int)ExperimentDecision.Wait]}; " +
            $"fixed-horizon z-test significant at some peek={fixedHorizonSignificant}");
        Assert.True(outcomes[(int)ExperimentDecision.Pass] <= maxPassed, $"{outcomes[(int)ExperimentDecision.Pass]} A/A experiments passed");
        Assert.True(fixedHorizonSignificant > outcomes[(int)ExperimentDecision.Pass] + outcomes[(int)ExperimentDecision.Fail],
            "the peeked fixed-horizon test should reject more often than the always-valid one");
    }

    [Theory]
    [InlineData(BaseRate, 0.13, 41)] // a real improvement passes
    [InlineData(0.13, BaseRate, 42)] // a real harm fails
    public void Evaluate_RealEffect_DecidesItInMostExperimentsAndNeverTheOpposite(double controlRate, double treatmentRate, int seed)
    {
        ExperimentDecision expected = treatmentRate > controlRate ? ExperimentDecision.Pass : ExperimentDecision.Fail;
        var random = new Random(seed);
        var outcomes = new int[3];
        for (int e = 0; e < Experiments; e++)
        {
            (ExperimentDecision decision, _) = Run(random, controlRate, treatmentRate, RateOptions);
            outcomes[(int)decision]++;
        }

        ExperimentDecision opposite = expected == ExperimentDecision.Pass ? ExperimentDecision.Fail : ExperimentDecision.Pass;
        output.WriteLine($"A/B {controlRate} -> {treatmentRate}: {expected}={outcomes[(int)expected]} {opposite}={outcomes[(int)opposite]} of {Experiments}");
        Assert.True(outcomes[(int)expected] >= 34, $"{outcomes[(int)expected]} of {Experiments}");
        Assert.Equal(0, outcomes[(int)opposite]);
    }

    [Fact]
    public void Evaluate_EqualArmsWithMargin_PassesAsNonInferior()
    {
        var random = new Random(43);
        int passed = 0;
        for (int e = 0; e < Experiments; e++)
        {
            (ExperimentDecision decision, _) = Run(random, BaseRate, BaseRate, RateOptions with { NonInferiorityMargin = 0.03 });
            passed += decision == ExperimentDecision.Pass ? 1 : 0;
        }

        output.WriteLine($"A/A with non-inferiority margin 0.03: pass={passed} of {Experiments}");
        Assert.True(passed >= 34, $"{passed} of {Experiments} passed");
    }

    [Fact]
    public void Evaluate_TooFewObservations_Waits()
    {
        SampleMoments control = SampleMoments.Of([0, 1, 0, 0, 1]);
        SampleMoments treatment = SampleMoments.Of([1, 1, 1, 1, 0]);

        Assert.Equal(ExperimentDecision.Wait, SequentialTest.Evaluate(control, treatment, RateOptions).Decision);
    }

    /// <summary>
    /// One experiment on Bernoulli arms, looked at every <see cref="PeekEvery"/> observations per arm and stopped
    /// at the first pass or fail; also whether a fixed-horizon two-sided z-test (|z| &gt; 1.96) would have
    /// rejected at any of the same looks.
    /// </summary>
    private static (ExperimentDecision Decision, bool FixedHorizonRejected) Run(
        Random random, double controlRate, double treatmentRate, SequentialTestOptions options)
    {
        var control = new SampleMoments();
        var treatment = new SampleMoments();
        ExperimentDecision decision = ExperimentDecision.Wait;
        bool fixedHorizonRejected = false;
        while (control.Count < MaxPerArm)
        {
            for (int i = 0; i < PeekEvery; i++)
            {
                control.Add(random.NextDouble() < controlRate ? 1 : 0);
                treatment.Add(random.NextDouble() < treatmentRate ? 1 : 0);
            }

            double z = (treatment.Mean - control.Mean)
                / Math.Sqrt(control.Variance / control.Count + treatment.Variance / treatment.Count);
            fixedHorizonRejected |= Math.Abs(z) > IntervalEstimate.Z95;
            if (decision == ExperimentDecision.Wait)
            {
                decision = SequentialTest.Evaluate(control, treatment, options).Decision;
            }
        }

        return (decision, fixedHorizonRejected);
    }
}
