using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Serving.Core.Drift;

/// <summary>
/// Evaluates closed windows of one model version against its reference profile: PSI and KS per column,
/// the model-wide multiple-testing adjustment, verdicts, and the alarm state machines. One per loaded
/// version; called from the evaluation loop only (not thread-safe).
/// </summary>
/// <remarks>
/// Severity of a window: PSI ≥ <see cref="DriftThresholds.PsiCritical"/> is critical; PSI ≥
/// <see cref="DriftThresholds.PsiWarning"/> or an adjusted KS p-value below
/// <see cref="DriftThresholds.KsPValue"/> is a warning. KS alone never makes a window critical: with large
/// windows it flags differences too small to matter, while PSI measures their size.
/// </remarks>
internal sealed class DriftEvaluator
{
    private readonly TimeProvider _time;
    private readonly AlarmStateMachine[] _alarms;

    /// <summary>Creates an evaluator with every alarm Ok since now.</summary>
    /// <param name="profile">The version's reference profile.</param>
    /// <param name="timeProvider">The clock for evaluation and transition times.</param>
    public DriftEvaluator(ReferenceProfile profile, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Profile = profile;
        _time = timeProvider;
        DateTimeOffset now = timeProvider.GetUtcNow();
        _alarms = new AlarmStateMachine[profile.Columns.Length];
        for (int i = 0; i < _alarms.Length; i++)
        {
            _alarms[i] = new AlarmStateMachine(now);
        }
    }

    /// <summary>The reference profile windows are compared with.</summary>
    public ReferenceProfile Profile { get; }

    /// <summary>The alarm state of a column (by index in <see cref="ReferenceProfile.Columns"/>).</summary>
    public AlarmState GetAlarmState(int column) => _alarms[column].State;

    /// <summary>Evaluates one closed (possibly merged) window and steps the alarms.</summary>
    /// <param name="window">The closed window of this version.</param>
    /// <param name="thresholds">The model's thresholds.</param>
    /// <returns>Per column results and the alarm transitions.</returns>
    /// <exception cref="ArgumentException">The window is of another version or layout, or the thresholds are invalid.</exception>
    public DriftEvaluation Evaluate(DriftWindowSnapshot window, DriftThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(thresholds);
        if (!thresholds.TryValidate(out string? error))
        {
            throw new ArgumentException(error, nameof(thresholds));
        }

        Validate(window);
        DateTimeOffset now = _time.GetUtcNow();
        int columnCount = Profile.Columns.Length;
        var stats = new ColumnStatistics[columnCount];
        var pValues = new double[columnCount];
        for (int c = 0; c < columnCount; c++)
        {
            stats[c] = Compute(Profile.Columns[c], window.Columns[c], thresholds.MinimumSampleSize);
            pValues[c] = stats[c].Sufficient ? stats[c].Ks.PValue : double.NaN;
        }

        var adjusted = new double[columnCount];
        MultipleTesting.Adjust(pValues, adjusted, thresholds.Correction);

        var results = ImmutableArray.CreateBuilder<DriftColumnResult>(columnCount);
        var transitions = ImmutableArray.CreateBuilder<AlarmTransition>();
        for (int c = 0; c < columnCount; c++)
        {
            ReferenceColumn reference = Profile.Columns[c];
            ColumnStatistics s = stats[c];
            (DriftVerdict verdict, DriftSeverity severity) = Judge(s, adjusted[c], thresholds);
            AlarmStateMachine alarm = _alarms[c];
            if (alarm.Observe(verdict, severity, thresholds.FireAfter, thresholds.ResolveAfter, now, out AlarmState previous))
            {
                transitions.Add(new AlarmTransition
                {
                    Model = Profile.Model,
                    Version = Profile.Version,
                    Column = reference.Name,
                    Kind = reference.Kind,
                    From = previous,
                    To = alarm.State,
                    Severity = alarm.Severity,
                    Psi = s.Psi,
                    KsStatistic = s.Ks.Statistic,
                    PValue = pValues[c],
                    AdjustedPValue = adjusted[c],
                    LiveCount = s.LiveCount,
                    WindowStart = window.Start,
                    WindowEnd = window.End,
                    Timestamp = now,
                });
            }

            results.Add(new DriftColumnResult
            {
                Name = reference.Name,
                Kind = reference.Kind,
                Psi = s.Psi,
                KsStatistic = s.Ks.Statistic,
                PValue = s.Tested ? s.Ks.PValue : double.NaN,
                AdjustedPValue = adjusted[c],
                KsMethod = s.Tested ? s.Ks.Method : null,
                LiveCount = s.LiveCount,
                LiveSampleCount = s.LiveSampleCount,
                LiveMissingCount = window.Columns[c].MissingCount,
                ReferenceCount = reference.ValidCount,
                ReferenceSampleCount = reference.SortedSample.Length,
                BinEdges = ImmutableArray.Create(reference.Edges),
                ReferenceProportions = reference.ReferenceProportions,
                LiveProportions = s.LiveProportions,
                Verdict = verdict,
                Severity = severity,
                AlarmState = alarm.State,
                AlarmSince = alarm.Since,
                AlarmSeverity = alarm.Severity,
            });
        }

        return new DriftEvaluation
        {
            Model = Profile.Model,
            Version = Profile.Version,
            WindowStart = window.Start,
            WindowEnd = window.End,
            RowCount = window.RowCount,
            EvaluatedAt = now,
            Correction = thresholds.Correction,
            Columns = results.MoveToImmutable(),
            Transitions = transitions.ToImmutable(),
        };
    }

    private void Validate(DriftWindowSnapshot window)
    {
        if (!string.Equals(window.Model, Profile.Model, StringComparison.Ordinal)
            || !string.Equals(window.Version, Profile.Version, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Window of {window.Model}/{window.Version} given to the evaluator of {Profile.Model}/{Profile.Version}.", nameof(window));
        }

        if (window.Columns.Length != Profile.Columns.Length)
        {
            throw new ArgumentException("The window's columns do not match the profile.", nameof(window));
        }

        for (int c = 0; c < window.Columns.Length; c++)
        {
            if (window.Columns[c].BinCounts.Length != Profile.Columns[c].BinCount)
            {
                throw new ArgumentException($"Column {Profile.Columns[c].Name}: the window's bins do not match the profile.", nameof(window));
            }
        }
    }

    private static ColumnStatistics Compute(ReferenceColumn reference, DriftColumnCounts live, int minimumSampleSize)
    {
        ReadOnlySpan<long> liveCounts = live.BinCounts.AsSpan();
        long liveCount = PopulationStabilityIndex.Total(liveCounts);
        var proportions = new double[liveCounts.Length];
        PopulationStabilityIndex.Proportions(liveCounts, proportions);
        double psi = PopulationStabilityIndex.Compute(reference.ReferenceCounts.AsSpan(), liveCounts);

        float[] sample = live.Samples.ToArray();
        Array.Sort(sample);
        bool tested = sample.Length > 0 && !reference.SortedSample.IsEmpty;
        KolmogorovSmirnovResult ks = tested
            ? KolmogorovSmirnov.TwoSample(reference.SortedSample.AsSpan(), sample)
            : new KolmogorovSmirnovResult(double.NaN, double.NaN, KolmogorovSmirnovMethod.Exact);

        bool sufficient = tested && !reference.IsEmpty && liveCount >= minimumSampleSize && sample.Length >= minimumSampleSize;
        return new ColumnStatistics(
            psi, ks, tested, sufficient, liveCount, sample.Length, ImmutableCollectionsMarshal.AsImmutableArray(proportions));
    }

    private static (DriftVerdict Verdict, DriftSeverity Severity) Judge(ColumnStatistics s, double adjustedPValue, DriftThresholds thresholds)
    {
        if (!s.Sufficient)
        {
            return (DriftVerdict.InsufficientData, DriftSeverity.None);
        }

        DriftSeverity severity = s.Psi >= thresholds.PsiCritical ? DriftSeverity.Critical
            : s.Psi >= thresholds.PsiWarning || adjustedPValue < thresholds.KsPValue ? DriftSeverity.Warning
            : DriftSeverity.None;
        return (severity == DriftSeverity.None ? DriftVerdict.NoDrift : DriftVerdict.Drift, severity);
    }

    private readonly record struct ColumnStatistics(
        double Psi,
        KolmogorovSmirnovResult Ks,
        bool Tested,
        bool Sufficient,
        long LiveCount,
        int LiveSampleCount,
        ImmutableArray<double> LiveProportions);
}
