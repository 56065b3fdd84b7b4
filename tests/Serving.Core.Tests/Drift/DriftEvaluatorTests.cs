using System.Text.Json;
using Serving.Core.Drift;

namespace Serving.Core.Tests.Drift;

public class DriftEvaluatorTests
{
    private static readonly JsonElement Fixture = DriftFixtures.Load("evaluator.json");

    private static (float[] Rows, float[] Outputs, int Count) Rows(string rows, string outputs)
    {
        JsonElement r = Fixture.GetProperty(rows);
        int count = r.GetArrayLength();
        var flat = new List<float>(count * 3);
        foreach (JsonElement row in r.EnumerateArray())
        {
            flat.AddRange(DriftFixtures.Floats(row));
        }

        return (flat.ToArray(), DriftFixtures.Floats(Fixture.GetProperty(outputs)), count);
    }

    private static ReferenceProfile Profile()
    {
        (float[] rows, float[] outputs, int count) = Rows("reference_rows", "reference_outputs");
        return ReferenceProfile.Build("credit", "v7", ["a", "b", "c"], ["score"], rows, outputs, count);
    }

    private static DriftWindowSnapshot Window(ReferenceProfile profile, TimeProvider time, string rows = "live_rows", string outputs = "live_outputs", int take = int.MaxValue)
    {
        (float[] r, float[] o, int count) = Rows(rows, outputs);
        count = Math.Min(count, take);
        var recorder = new DriftRecorder(profile, new DriftWindowOptions { SampleCapacity = 5_000 }, time);
        recorder.Record(r.AsSpan(0, count * 3), count, o.AsSpan(0, count));
        return recorder.Rotate();
    }

    [Fact]
    public void Evaluate_ScipyFixture_MatchesPsiKsAndAdjustedPerColumn()
    {
        var time = new ManualTimeProvider();
        ReferenceProfile profile = Profile();
        var evaluator = new DriftEvaluator(profile, time);

        DriftEvaluation evaluation = evaluator.Evaluate(Window(profile, time), DriftThresholds.Default);

        JsonElement[] expected = Fixture.GetProperty("columns").EnumerateArray().ToArray();
        // Every column's distribution alarm, then every column's missing-rate alarm.
        Assert.Equal(2 * expected.Length, evaluation.Columns.Length);
        for (int c = 0; c < expected.Length; c++)
        {
            DriftColumnResult actual = evaluation.Columns[c];
            string name = expected[c].GetProperty("name").GetString()!;
            Assert.Equal(name, actual.Name);
            DriftFixtures.AssertAbsolute(expected[c].GetProperty("psi").GetDouble(), actual.Psi, 1e-6, $"{name} PSI");
            DriftFixtures.AssertAbsolute(expected[c].GetProperty("statistic").GetDouble(), actual.KsStatistic, 1e-6, $"{name} D");
            DriftFixtures.AssertRelative(expected[c].GetProperty("pvalue").GetDouble(), actual.PValue, 1e-4, $"{name} p");
            DriftFixtures.AssertRelative(expected[c].GetProperty("adjusted_pvalue").GetDouble(), actual.AdjustedPValue, 1e-4, $"{name} adjusted p");
            Assert.Equal(600, actual.LiveCount);
            Assert.Equal(600, actual.LiveSampleCount);
            Assert.Equal(2000, actual.ReferenceCount);
            Assert.Equal(KolmogorovSmirnovMethod.Exact, actual.KsMethod);
            Assert.Equal(1.0, actual.LiveProportions.Sum(), 12);
            Assert.Equal(1.0, actual.ReferenceProportions.Sum(), 12);
            Assert.Equal(actual.BinEdges.Length + 1, actual.LiveProportions.Length);
        }

        Assert.Equal(
            [DriftSeverity.None, DriftSeverity.Critical, DriftSeverity.None, DriftSeverity.Warning],
            evaluation.Columns.Take(4).Select(c => c.Severity));
        Assert.Equal(
            [DriftVerdict.NoDrift, DriftVerdict.Drift, DriftVerdict.NoDrift, DriftVerdict.Drift],
            evaluation.Columns.Take(4).Select(c => c.Verdict));
        Assert.Equal(600, evaluation.RowCount);
    }

    [Fact]
    public void Evaluate_Bonferroni_AdjustsByNumberOfColumns()
    {
        var time = new ManualTimeProvider();
        ReferenceProfile profile = Profile();
        var evaluator = new DriftEvaluator(profile, time);
        var thresholds = DriftThresholds.Default with { Correction = MultipleTestingCorrection.Bonferroni };

        DriftEvaluation evaluation = evaluator.Evaluate(Window(profile, time), thresholds);

        foreach (DriftColumnResult column in evaluation.Columns)
        {
            Assert.Equal(Math.Min(1.0, column.PValue * 4), column.AdjustedPValue, 15);
        }
    }

    [Fact]
    public void Evaluate_BelowMinimumSampleSize_InsufficientDataNotNoDrift()
    {
        var time = new ManualTimeProvider();
        ReferenceProfile profile = Profile();
        var evaluator = new DriftEvaluator(profile, time);

        DriftEvaluation evaluation = evaluator.Evaluate(Window(profile, time, take: 99), DriftThresholds.Default with { MinimumSampleSize = 100 });

        Assert.All(evaluation.Columns, c =>
        {
            Assert.Equal(DriftVerdict.InsufficientData, c.Verdict);
            Assert.Equal(DriftSeverity.None, c.Severity);
            Assert.True(double.IsNaN(c.AdjustedPValue));
            Assert.Equal(99, c.LiveCount);
            Assert.Equal(AlarmState.Ok, c.AlarmState);
        });
        Assert.Empty(evaluation.Transitions);
    }

    [Fact]
    public void Evaluate_EmptyWindow_InsufficientDataWithNaNStatistics()
    {
        var time = new ManualTimeProvider();
        ReferenceProfile profile = Profile();
        var evaluator = new DriftEvaluator(profile, time);
        DriftWindowSnapshot empty = new DriftRecorder(profile, DriftWindowOptions.Default, time).Rotate();

        DriftEvaluation evaluation = evaluator.Evaluate(empty, DriftThresholds.Default);

        Assert.All(evaluation.Columns, c =>
        {
            Assert.Equal(DriftVerdict.InsufficientData, c.Verdict);
            Assert.True(double.IsNaN(c.Psi));
            Assert.True(double.IsNaN(c.PValue));
            Assert.Null(c.KsMethod);
        });
    }

    [Fact]
    public void Evaluate_DriftThenCleanWindows_TransitionEventsWithNumbers()
    {
        var time = new ManualTimeProvider();
        ReferenceProfile profile = Profile();
        var evaluator = new DriftEvaluator(profile, time);
        var thresholds = DriftThresholds.Default with { FireAfter = 2, ResolveAfter = 1 };

        time.Advance(TimeSpan.FromMinutes(5));
        DriftEvaluation first = evaluator.Evaluate(Window(profile, time), thresholds);
        Assert.Equal(["b", "score"], first.Transitions.Select(t => t.Column));
        Assert.All(first.Transitions, t => Assert.Equal((AlarmState.Ok, AlarmState.Pending), (t.From, t.To)));

        time.Advance(TimeSpan.FromMinutes(5));
        DriftEvaluation second = evaluator.Evaluate(Window(profile, time), thresholds);
        AlarmTransition fired = Assert.Single(second.Transitions, t => t.Column == "b");
        Assert.Equal(AlarmState.Pending, fired.From);
        Assert.Equal(AlarmState.Firing, fired.To);
        Assert.Equal(DriftSeverity.Critical, fired.Severity);
        Assert.Equal("credit", fired.Model);
        Assert.Equal("v7", fired.Version);
        Assert.Equal(DriftColumnKind.Feature, fired.Kind);
        Assert.Equal(second.Columns[1].Psi, fired.Psi);
        Assert.Equal(second.Columns[1].KsStatistic, fired.KsStatistic);
        Assert.Equal(second.Columns[1].AdjustedPValue, fired.AdjustedPValue);
        Assert.Equal(600, fired.LiveCount);
        Assert.Equal(time.GetUtcNow(), fired.Timestamp);
        Assert.Equal(AlarmState.Firing, second.Columns[1].AlarmState);
        Assert.Equal(time.GetUtcNow(), second.Columns[1].AlarmSince);
        Assert.Equal(AlarmState.Firing, evaluator.GetAlarmState(3));

        // The reference itself as live data: no drift, so the firing alarms resolve.
        time.Advance(TimeSpan.FromMinutes(5));
        DriftEvaluation third = evaluator.Evaluate(Window(profile, time, "reference_rows", "reference_outputs", 1000), thresholds);
        Assert.All(third.Columns, c => Assert.Equal(DriftVerdict.NoDrift, c.Verdict));
        Assert.Equal(["b", "score"], third.Transitions.Select(t => t.Column));
        Assert.All(third.Transitions, t => Assert.Equal((AlarmState.Firing, AlarmState.Resolved), (t.From, t.To)));
    }

    [Fact]
    public void Evaluate_WindowOfAnotherVersion_Throws()
    {
        var time = new ManualTimeProvider();
        var evaluator = new DriftEvaluator(Profile(), time);
        DriftWindowSnapshot other = new DriftRecorder(DriftRecorderTests.TwoFeatureProfile(), DriftWindowOptions.Default, time).Rotate();

        Assert.Throws<ArgumentException>(() => evaluator.Evaluate(other, DriftThresholds.Default));
    }

    [Fact]
    public void Evaluate_InvalidThresholds_Throws()
    {
        var time = new ManualTimeProvider();
        ReferenceProfile profile = Profile();
        var evaluator = new DriftEvaluator(profile, time);

        Assert.Throws<ArgumentException>(() =>
            evaluator.Evaluate(Window(profile, time), DriftThresholds.Default with { PsiCritical = 0.05 }));
    }
}
