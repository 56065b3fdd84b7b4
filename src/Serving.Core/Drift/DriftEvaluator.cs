using System.Collections.Immutable;
using System.Runtime.InteropServices;

namespace Serving.Core.Drift;

/// <summary>
/// Evaluates closed windows of one model version against its reference profile: per column PSI with its
/// significance, KS (continuous) or chi-square (categorical), the missing rate, the model-wide
/// multiple-testing adjustments, verdicts, and the alarm state machines (two per column: its distribution
/// and its missing rate). One per loaded version; called from the evaluation loop only (not thread-safe).
/// </summary>
/// <remarks>
/// Distribution, per window: drift when the adjusted KS (or chi-square) p-value is below
/// <see cref="DriftThresholds.KsPValue"/>, or when PSI ≥ <see cref="DriftThresholds.PsiWarning"/> and PSI
/// is significant (its adjusted p-value under no drift, PSI · n·m/(n+m) ~ χ²(bins − 1), below the same
/// level; for a categorical column the chi-square test is that significance). Critical when, in addition,
/// PSI ≥ <see cref="DriftThresholds.PsiCritical"/> and significant. So PSI never flags sampling noise of
/// small windows (its expected value under no drift is about (bins − 1)(1/n + 1/m)), and a test alone
/// never makes a window critical. Missing rate: drift when it differs from the reference's by at least
/// <see cref="DriftThresholds.MissingRateWarning"/> (critical: <see cref="DriftThresholds.MissingRateCritical"/>)
/// and the adjusted chi-square p-value of the 2 × 2 table is below the level.
/// </remarks>
internal sealed class DriftEvaluator
{
    /// <summary>The prefix of a column's missing-rate alarm name.</summary>
    public const string MissingPrefix = "missing:";

    private readonly TimeProvider _time;
    private readonly AlarmStateMachine[] _alarms;
    private DriftWindowSnapshot? _pooled;

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
        int columns = profile.Columns.Length;
        _alarms = new AlarmStateMachine[2 * columns];
        for (int c = 0; c < columns; c++)
        {
            _alarms[c] = new AlarmStateMachine(profile.Columns[c].Name, now);
            _alarms[columns + c] = new AlarmStateMachine(MissingPrefix + profile.Columns[c].Name, now);
        }
    }

    /// <summary>The reference profile windows are compared with.</summary>
    public ReferenceProfile Profile { get; }

    /// <summary>Rows waiting in the pool for a window large enough to judge (see <see cref="Submit"/>).</summary>
    public long PooledRows => _pooled?.RowCount ?? 0;

    /// <summary>
    /// The alarm state of an alarm: index c &lt; columns is column c's distribution, columns + c its missing rate.
    /// </summary>
    public AlarmState GetAlarmState(int alarm) => _alarms[alarm].State;

    /// <summary>Every alarm as plain values, to persist.</summary>
    public ImmutableArray<AlarmSnapshot> SnapshotAlarms()
    {
        var snapshots = ImmutableArray.CreateBuilder<AlarmSnapshot>(_alarms.Length);
        foreach (AlarmStateMachine alarm in _alarms)
        {
            snapshots.Add(alarm.ToSnapshot());
        }

        return snapshots.MoveToImmutable();
    }

    /// <summary>Restores persisted alarms by name; names the profile no longer has are ignored.</summary>
    public void RestoreAlarms(IEnumerable<AlarmSnapshot> snapshots)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        foreach (AlarmSnapshot snapshot in snapshots)
        {
            foreach (AlarmStateMachine alarm in _alarms)
            {
                if (string.Equals(alarm.Name, snapshot.Name, StringComparison.Ordinal))
                {
                    alarm.Restore(snapshot);
                }
            }
        }
    }

    /// <summary>
    /// The fewest rows a window needs to be judged: the largest column minimum
    /// (<see cref="ReferenceColumn.MinimumSample"/>, or <see cref="DriftThresholds.MinimumSampleSize"/> when larger).
    /// </summary>
    public long MinimumRows(DriftThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        long minimum = Math.Max(1, thresholds.MinimumSampleSize);
        foreach (ReferenceColumn column in Profile.Columns)
        {
            minimum = column.IsEmpty ? minimum : Math.Max(minimum, column.MinimumSample);
        }

        return minimum;
    }

    /// <summary>
    /// Evaluates a closed window, pooling it with the windows before it while they hold fewer than
    /// <see cref="MinimumRows"/> rows together: a small window is judged with the next ones instead of
    /// never. Empty windows (no traffic) are pooled too, so the last judged window stays the latest evidence.
    /// </summary>
    /// <returns>The evaluation, or null while the pool is still too small.</returns>
    public DriftEvaluation? Submit(DriftWindowSnapshot window, DriftThresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(window);
        Validate(window);
        DriftWindowSnapshot pooled = _pooled is null ? window : _pooled.Merge(window);
        if (pooled.RowCount < MinimumRows(thresholds))
        {
            _pooled = pooled;
            return null;
        }

        _pooled = null;
        return Evaluate(pooled, thresholds);
    }

    /// <summary>Evaluates one closed (possibly merged or pooled) window and steps the alarms.</summary>
    /// <param name="window">The closed window of this version.</param>
    /// <param name="thresholds">The model's thresholds.</param>
    /// <returns>Per alarm results (every column's distribution, then every column's missing rate) and the alarm transitions.</returns>
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
        var testP = new double[2 * columnCount];
        var psiP = new double[columnCount];
        for (int c = 0; c < columnCount; c++)
        {
            ReferenceColumn reference = Profile.Columns[c];
            stats[c] = Compute(reference, window.Columns[c], Math.Max(thresholds.MinimumSampleSize, reference.MinimumSample));
            testP[c] = stats[c].Sufficient ? stats[c].TestPValue : double.NaN;
            psiP[c] = stats[c].Sufficient ? stats[c].PsiPValue : double.NaN;
            testP[columnCount + c] = stats[c].MissingSufficient ? stats[c].MissingPValue : double.NaN;
        }

        // Three families, each adjusted across the model's columns: the distribution tests, the PSI
        // significance, and the missing rates.
        var adjusted = new double[2 * columnCount];
        MultipleTesting.Adjust(testP.AsSpan(0, columnCount), adjusted.AsSpan(0, columnCount), thresholds.Correction);
        MultipleTesting.Adjust(testP.AsSpan(columnCount), adjusted.AsSpan(columnCount), thresholds.Correction);
        var adjustedPsi = new double[columnCount];
        MultipleTesting.Adjust(psiP, adjustedPsi, thresholds.Correction);

        var results = ImmutableArray.CreateBuilder<DriftColumnResult>(2 * columnCount);
        var transitions = ImmutableArray.CreateBuilder<AlarmTransition>();
        for (int a = 0; a < 2 * columnCount; a++)
        {
            bool missing = a >= columnCount;
            int c = missing ? a - columnCount : a;
            ReferenceColumn reference = Profile.Columns[c];
            ColumnStatistics s = stats[c];
            (DriftVerdict verdict, DriftSeverity severity) = missing
                ? JudgeMissing(s, reference, adjusted[a], thresholds)
                : Judge(s, reference, adjusted[a], adjustedPsi[c], thresholds);
            AlarmStateMachine alarm = _alarms[a];
            DriftTest test = missing ? DriftTest.MissingRate : reference.IsCategorical ? DriftTest.ChiSquare : DriftTest.KolmogorovSmirnov;
            double rawP = missing ? s.MissingPValue : s.TestPValue;
            if (alarm.Observe(verdict, severity, window.End, thresholds, now, out AlarmState previous))
            {
                transitions.Add(new AlarmTransition
                {
                    Model = Profile.Model,
                    Version = Profile.Version,
                    Column = alarm.Name,
                    Test = test,
                    Kind = reference.Kind,
                    From = previous,
                    To = alarm.State,
                    Since = alarm.Since,
                    Severity = alarm.Severity,
                    Psi = missing ? double.NaN : s.Psi,
                    KsStatistic = missing ? double.NaN : s.Ks.Statistic,
                    PValue = rawP,
                    AdjustedPValue = adjusted[a],
                    MissingRate = s.MissingRate,
                    LiveCount = missing ? s.LiveCount + s.MissingCount : s.LiveCount,
                    WindowStart = window.Start,
                    WindowEnd = window.End,
                    Timestamp = now,
                });
            }

            results.Add(new DriftColumnResult
            {
                Name = alarm.Name,
                Column = reference.Name,
                Kind = reference.Kind,
                Test = test,
                Psi = missing ? double.NaN : s.Psi,
                PsiPValue = missing ? double.NaN : s.PsiPValue,
                ChiSquarePValue = test == DriftTest.KolmogorovSmirnov ? double.NaN : rawP,
                MissingRate = s.MissingRate,
                ReferenceMissingRate = reference.MissingRate,
                KsStatistic = missing ? double.NaN : s.Ks.Statistic,
                PValue = rawP,
                AdjustedPValue = adjusted[a],
                KsMethod = test == DriftTest.KolmogorovSmirnov && s.KsTested ? s.Ks.Method : null,
                LiveCount = s.LiveCount,
                LiveSampleCount = s.LiveSampleCount,
                LiveMissingCount = s.MissingCount,
                ReferenceCount = reference.ValidCount,
                ReferenceSampleCount = reference.SortedSample.Length,
                BinEdges = missing ? [] : reference.DisplayEdges,
                ReferenceProportions = missing ? Rates(reference.ValidCount, reference.MissingCount) : reference.ReferenceProportions,
                LiveProportions = missing ? Rates(s.LiveCount, s.MissingCount) : s.LiveProportions,
                Verdict = verdict,
                Severity = severity,
                AlarmState = alarm.State,
                AlarmSince = alarm.Since,
                AlarmSeverity = alarm.Severity,
                AlarmWindows = alarm.DriftingWindows,
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

    private static ImmutableArray<double> Rates(long present, long missing)
    {
        long total = present + missing;
        return total == 0 ? [0.0, 0.0] : [(double)present / total, (double)missing / total];
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
        long[] liveCounts = reference.Fold(live.BinCounts.AsSpan());
        long liveCount = PopulationStabilityIndex.Total(liveCounts);
        var proportions = new double[liveCounts.Length];
        PopulationStabilityIndex.Proportions(liveCounts, proportions);
        ReadOnlySpan<long> referenceCounts = reference.TestReferenceCounts.AsSpan();
        double psi = PopulationStabilityIndex.Compute(referenceCounts, liveCounts);

        KolmogorovSmirnovResult ks = new(double.NaN, double.NaN, KolmogorovSmirnovMethod.Exact);
        bool ksTested = false;
        double testP;
        double psiP = double.NaN;
        int sampleCount = live.Samples.Length;
        if (reference.IsCategorical)
        {
            testP = ChiSquareTest.Homogeneity(referenceCounts, liveCounts).PValue;
        }
        else
        {
            float[] sample = live.Samples.ToArray();
            Array.Sort(sample);
            ksTested = sample.Length > 0 && !reference.SortedSample.IsEmpty;
            if (ksTested)
            {
                ks = KolmogorovSmirnov.TwoSample(reference.SortedSample.AsSpan(), sample);
            }

            testP = ks.PValue;
            psiP = PsiPValue(psi, reference.ValidCount, liveCount, reference.TestBinCount);
        }

        bool sufficient = !reference.IsEmpty && liveCount >= minimumSampleSize
            && (reference.IsCategorical || (ksTested && sampleCount >= minimumSampleSize));
        long rows = liveCount + live.MissingCount;
        double missingP = ChiSquareTest.Homogeneity(
            [reference.ValidCount, reference.MissingCount], [liveCount, live.MissingCount]).PValue;
        return new ColumnStatistics(
            psi, psiP, ks, ksTested, testP, sufficient, liveCount, sampleCount, live.MissingCount,
            rows == 0 ? double.NaN : (double)live.MissingCount / rows,
            missingP,
            rows >= minimumSampleSize && reference.ValidCount + reference.MissingCount > 0,
            ImmutableCollectionsMarshal.AsImmutableArray(proportions));
    }

    /// <summary>
    /// P(PSI ≥ observed) under no drift, from the large-sample law PSI · n·m/(n+m) ~ χ²(bins − 1) (PSI is
    /// the symmetric Kullback–Leibler divergence, asymptotically the chi-square statistic of homogeneity).
    /// </summary>
    internal static double PsiPValue(double psi, long referenceCount, long liveCount, int bins)
    {
        if (double.IsNaN(psi) || referenceCount == 0 || liveCount == 0 || bins < 2)
        {
            return double.NaN;
        }

        double effective = (double)referenceCount * liveCount / (referenceCount + liveCount);
        return ChiSquareDistribution.Survival(psi * effective, bins - 1);
    }

    private static (DriftVerdict Verdict, DriftSeverity Severity) Judge(
        ColumnStatistics s, ReferenceColumn reference, double adjustedTestP, double adjustedPsiP, DriftThresholds thresholds)
    {
        if (!s.Sufficient)
        {
            return (DriftVerdict.InsufficientData, DriftSeverity.None);
        }

        bool testSignificant = adjustedTestP < thresholds.KsPValue;
        bool psiSignificant = reference.IsCategorical ? testSignificant : adjustedPsiP < thresholds.KsPValue;
        bool drift = testSignificant || (psiSignificant && s.Psi >= thresholds.PsiWarning);
        DriftSeverity severity = !drift ? DriftSeverity.None
            : psiSignificant && s.Psi >= thresholds.PsiCritical ? DriftSeverity.Critical
            : DriftSeverity.Warning;
        return (drift ? DriftVerdict.Drift : DriftVerdict.NoDrift, severity);
    }

    private static (DriftVerdict Verdict, DriftSeverity Severity) JudgeMissing(
        ColumnStatistics s, ReferenceColumn reference, double adjustedP, DriftThresholds thresholds)
    {
        if (!s.MissingSufficient)
        {
            return (DriftVerdict.InsufficientData, DriftSeverity.None);
        }

        double change = Math.Abs(s.MissingRate - reference.MissingRate);
        bool drift = adjustedP < thresholds.KsPValue && change >= thresholds.MissingRateWarning;
        DriftSeverity severity = !drift ? DriftSeverity.None
            : change >= thresholds.MissingRateCritical ? DriftSeverity.Critical
            : DriftSeverity.Warning;
        return (drift ? DriftVerdict.Drift : DriftVerdict.NoDrift, severity);
    }

    private readonly record struct ColumnStatistics(
        double Psi,
        double PsiPValue,
        KolmogorovSmirnovResult Ks,
        bool KsTested,
        double TestPValue,
        bool Sufficient,
        long LiveCount,
        int LiveSampleCount,
        long MissingCount,
        double MissingRate,
        double MissingPValue,
        bool MissingSufficient,
        ImmutableArray<double> LiveProportions);
}
