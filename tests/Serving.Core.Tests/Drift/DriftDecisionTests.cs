using Serving.Core.Drift;
using Xunit.Abstractions;

namespace Serving.Core.Tests.Drift;

/// <summary>
/// The decisions at the window sizes on-call meets: no alarm from sampling noise, small windows pooled
/// until they can be judged, floods of missing values and non-finite outputs alarmed. Seeded, so the same
/// every run.
/// </summary>
public class DriftDecisionTests(ITestOutputHelper output)
{
    private const int Features = 30;

    [Fact]
    public void Submit_CleanTrafficInHundredRowWindows_NoAlarmAcross30Windows30Features()
    {
        var random = new Random(20261201);
        var time = new ManualTimeProvider();
        ReferenceProfile profile = Profile(random, 5000);
        var evaluator = new DriftEvaluator(profile, time);
        int evaluated = 0;
        int driftingFeatureWindows = 0;
        int psiAboveWarning = 0;
        var transitions = new List<AlarmTransition>();

        for (int w = 0; w < 30; w++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            DriftEvaluation? evaluation = evaluator.Submit(Window(profile, random, 100, time, shift: 0), DriftThresholds.Default);
            if (evaluation is null)
            {
                continue;
            }

            evaluated++;
            driftingFeatureWindows += evaluation.Columns.Count(c => c.Verdict == DriftVerdict.Drift);
            psiAboveWarning += evaluation.Columns.Count(c => c.Psi >= DriftThresholds.Default.PsiWarning);
            transitions.AddRange(evaluation.Transitions);
        }

        output.WriteLine($"{evaluated} evaluations, {driftingFeatureWindows} drifting column-windows, {psiAboveWarning} with PSI >= 0.1 (flagged by PSI alone)");

        // The poisson columns are categorical with up to 21 test bins (105 rows), so windows pool in pairs.
        Assert.Equal(15, evaluated);
        Assert.DoesNotContain(transitions, t => t.To == AlarmState.Firing);
        Assert.True(driftingFeatureWindows <= 3, $"{driftingFeatureWindows} drifting feature-windows on clean traffic");
    }

    [Fact]
    public void Submit_HugeShiftInWindowsBelowTheMinimum_PooledAndFiresCritical()
    {
        var random = new Random(7);
        var time = new ManualTimeProvider();
        ReferenceProfile profile = ReferenceProfile.Build(
            "m", "1", ["x"], [], Enumerable.Range(0, 5000).Select(_ => (float)Normal(random)).ToArray(), [], 5000);
        var evaluator = new DriftEvaluator(profile, time);
        Assert.Equal(50, evaluator.MinimumRows(DriftThresholds.Default));
        var evaluations = new List<DriftEvaluation>();

        for (int w = 0; w < 9; w++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            var recorder = new DriftRecorder(profile, DriftWindowOptions.Default, time);
            float[] rows = Enumerable.Range(0, 20).Select(_ => (float)(Normal(random) + 6)).ToArray();
            recorder.Record(rows, rows.Length, []);
            if (evaluator.Submit(recorder.Rotate(), DriftThresholds.Default) is { } evaluation)
            {
                evaluations.Add(evaluation);
            }
        }

        Assert.Equal(3, evaluations.Count);
        Assert.All(evaluations, e => Assert.Equal(60, e.RowCount));
        Assert.All(evaluations, e => Assert.Equal(DriftSeverity.Critical, e.Columns[0].Severity));
        Assert.Equal(AlarmState.Firing, evaluator.GetAlarmState(0));
        Assert.Equal(0, evaluator.PooledRows);
    }

    [Fact]
    public void Submit_EmptyWindowsAfterTraffic_PooledWithoutVerdict()
    {
        var time = new ManualTimeProvider();
        ReferenceProfile profile = ReferenceProfile.Build("m", "1", ["x"], [], Enumerable.Range(0, 500).Select(i => (float)i).ToArray(), [], 500);
        var evaluator = new DriftEvaluator(profile, time);

        DriftEvaluation? none = evaluator.Submit(new DriftRecorder(profile, DriftWindowOptions.Default, time).Rotate(), DriftThresholds.Default);

        Assert.Null(none);
        Assert.Equal(0, evaluator.PooledRows);
    }

    [Fact]
    public void Evaluate_FeatureNaNInEveryRow_MissingAlarmCriticalAndFires()
    {
        var random = new Random(3);
        var time = new ManualTimeProvider();
        ReferenceProfile profile = ReferenceProfile.Build(
            "m", "1", ["a", "b"], ["y"], Enumerable.Range(0, 4000).Select(_ => (float)Normal(random)).ToArray(),
            Enumerable.Range(0, 2000).Select(_ => (float)random.NextDouble()).ToArray(), 2000);
        var evaluator = new DriftEvaluator(profile, time);
        DriftEvaluation last = null!;

        for (int w = 0; w < 3; w++)
        {
            var recorder = new DriftRecorder(profile, DriftWindowOptions.Default, time);
            for (int r = 0; r < 500; r++)
            {
                recorder.Record([float.NaN, (float)Normal(random)], (float)random.NextDouble());
            }

            last = evaluator.Evaluate(recorder.Rotate(), DriftThresholds.Default);
        }

        DriftColumnResult distribution = last.Columns.Single(c => c.Name == "a");
        DriftColumnResult missing = last.Columns.Single(c => c.Name == "missing:a");
        Assert.Equal(DriftVerdict.InsufficientData, distribution.Verdict);
        Assert.Equal(DriftTest.MissingRate, missing.Test);
        Assert.Equal(1.0, missing.MissingRate);
        Assert.Equal(0.0, missing.ReferenceMissingRate);
        Assert.Equal(DriftSeverity.Critical, missing.Severity);
        Assert.Equal(AlarmState.Firing, missing.AlarmState);
        Assert.Equal(AlarmState.Ok, last.Columns.Single(c => c.Name == "missing:b").AlarmState);
    }

    [Fact]
    public void Evaluate_ModelAnswersNonFiniteOutputs_OutputMissingAlarmFires()
    {
        var random = new Random(5);
        var time = new ManualTimeProvider();
        ReferenceProfile profile = ReferenceProfile.Build(
            "m", "1", ["a"], ["output:y"], Enumerable.Range(0, 2000).Select(_ => (float)Normal(random)).ToArray(),
            Enumerable.Range(0, 2000).Select(_ => (float)random.NextDouble()).ToArray(), 2000);
        var evaluator = new DriftEvaluator(profile, time);
        DriftEvaluation last = null!;

        for (int w = 0; w < 3; w++)
        {
            var recorder = new DriftRecorder(profile, DriftWindowOptions.Default, time);
            for (int r = 0; r < 500; r++)
            {
                recorder.Record([(float)Normal(random)], r % 2 == 0 ? float.NaN : float.PositiveInfinity);
            }

            last = evaluator.Evaluate(recorder.Rotate(), DriftThresholds.Default);
        }

        DriftColumnResult output = last.Columns.Single(c => c.Name == "missing:output:y");
        Assert.Equal(1.0, output.MissingRate);
        Assert.Equal(AlarmState.Firing, output.AlarmState);
        Assert.Contains(last.Transitions, t => t.Column == "missing:output:y" && t.To == AlarmState.Firing);
    }

    [Fact]
    public void Evaluate_MissingRateAsInTheReference_NoDrift()
    {
        var random = new Random(11);
        var time = new ManualTimeProvider();
        float[] reference = Enumerable.Range(0, 4000).Select(_ => random.NextDouble() < 0.2 ? float.NaN : (float)Normal(random)).ToArray();
        ReferenceProfile profile = ReferenceProfile.Build("m", "1", ["a"], [], reference, [], 4000);
        var recorder = new DriftRecorder(profile, DriftWindowOptions.Default, time);
        for (int r = 0; r < 500; r++)
        {
            recorder.Record([random.NextDouble() < 0.2 ? float.NaN : (float)Normal(random)], []);
        }

        DriftColumnResult missing = new DriftEvaluator(profile, time).Evaluate(recorder.Rotate(), DriftThresholds.Default).Columns[1];

        Assert.Equal(DriftVerdict.NoDrift, missing.Verdict);
        Assert.InRange(missing.ReferenceMissingRate, 0.18, 0.22);
    }

    [Fact]
    public void PsiPValue_ExpectedNullPsiAtHundredRows_IsNotSignificant()
    {
        // Under no drift PSI ≈ (B − 1)(1/n + 1/m): 9 · (1/100 + 1/5000) ≈ 0.092, above the 0.1 warning's
        // neighbourhood; its p-value is about 0.42, so it never flags.
        double nullPsi = 9 * ((1.0 / 100) + (1.0 / 5000));

        double p = DriftEvaluator.PsiPValue(nullPsi, 5000, 100, 10);

        Assert.InRange(p, 0.3, 0.6);
        Assert.True(DriftEvaluator.PsiPValue(1.0, 5000, 100, 10) < 1e-10);
    }

    /// <summary>30 features of different shapes: normal, log-normal, uniform, exponential, bimodal, poisson counts.</summary>
    private static ReferenceProfile Profile(Random random, int rows)
    {
        var names = Enumerable.Range(0, Features).Select(i => "f" + i).ToArray();
        var values = new float[rows * Features];
        for (int r = 0; r < rows; r++)
        {
            for (int f = 0; f < Features; f++)
            {
                values[(r * Features) + f] = Sample(random, f, 0);
            }
        }

        var outputs = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            outputs[r] = values[r * Features] + values[(r * Features) + 1];
        }

        return ReferenceProfile.Build("m", "1", names, ["output:y"], values, outputs, rows);
    }

    private static DriftWindowSnapshot Window(ReferenceProfile profile, Random random, int rows, TimeProvider time, double shift)
    {
        var recorder = new DriftRecorder(profile, DriftWindowOptions.Default, time);
        var row = new float[Features];
        for (int r = 0; r < rows; r++)
        {
            for (int f = 0; f < Features; f++)
            {
                row[f] = Sample(random, f, shift);
            }

            recorder.Record(row, row[0] + row[1]);
        }

        return recorder.Rotate();
    }

    private static float Sample(Random random, int feature, double shift) => (float)((feature % 6) switch
    {
        0 => Normal(random) + shift,
        1 => Math.Exp(Normal(random) * 0.5) + shift,
        2 => random.NextDouble() * 10 + shift,
        3 => -Math.Log(1 - random.NextDouble()) * 3 + shift,
        4 => (random.NextDouble() < 0.3 ? Normal(random) - 3 : Normal(random) + 2) + shift,
        _ => Poisson(random, 4 + feature % 5) + shift,
    });

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static int Poisson(Random random, double lambda)
    {
        double limit = Math.Exp(-lambda);
        double product = random.NextDouble();
        int k = 0;
        while (product > limit)
        {
            product *= random.NextDouble();
            k++;
        }

        return k;
    }
}
