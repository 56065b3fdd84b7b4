namespace Serving.Gateway.Drift;

/// <summary>Drift monitoring defaults (<c>Serving:Drift:*</c>); a model's <c>model.json</c> <c>drift</c> section overrides them.</summary>
public sealed class DriftOptions : ICheckedOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Serving:Drift";

    /// <summary>Whether predictions are recorded and evaluated at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the background loop checks whether windows are due. Default 1 s.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Rows after which a window closes. Default 10,000. Ignored with <c>Serving:Redis</c> set (windows are time-aligned then).</summary>
    public long WindowRows { get; set; } = 10_000;

    /// <summary>Time after which a window closes whatever its row count. Default 5 minutes.</summary>
    public TimeSpan WindowDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Live values kept per feature and window for the KS test (the first ones of the window). Default 2,000.</summary>
    public int SampleCapacity { get; set; } = 2_000;

    /// <summary>PSI warning threshold. Default 0.1.</summary>
    public double PsiWarning { get; set; } = 0.1;

    /// <summary>PSI critical threshold. Default 0.25.</summary>
    public double PsiCritical { get; set; } = 0.25;

    /// <summary>Adjusted KS p-value below which a feature has drifted. Default 0.01.</summary>
    public double KsPValue { get; set; } = 0.01;

    /// <summary><c>benjamini-hochberg</c> (default), <c>bonferroni</c> or <c>none</c>.</summary>
    public string Correction { get; set; } = "benjamini-hochberg";

    /// <summary>
    /// A floor on the rows a window needs for a verdict; the minimum is otherwise derived from the bins
    /// (5 live values per bin: 50 for deciles). Smaller windows are pooled with the next. Default 0.
    /// </summary>
    public int MinimumSamples { get; set; }

    /// <summary>Drifting windows among the last <see cref="FireWindow"/> before an alarm fires. Default 3.</summary>
    public int FireAfter { get; set; } = 3;

    /// <summary>How many of the last judged windows the fire rule looks at (3 of 5 by default). Default 5.</summary>
    public int FireWindow { get; set; } = 5;

    /// <summary>Absolute change of a column's missing (NaN, ±∞) rate that is a warning, when significant. Default 0.05.</summary>
    public double MissingRateWarning { get; set; } = 0.05;

    /// <summary>Absolute change of a column's missing rate that is critical, when significant. Default 0.25.</summary>
    public double MissingRateCritical { get; set; } = 0.25;

    /// <summary>Columns with at most this many distinct reference values are tested as categorical (chi-square). 0 turns detection off. Default 20.</summary>
    public int CategoricalMaxDistinct { get; set; } = 20;

    /// <summary>Closed windows kept per version (persisted) for <c>GET /admin/drift/{model}?history=N</c>. Default 50.</summary>
    public int HistorySize { get; set; } = 50;

    /// <summary>Consecutive clean windows before a firing alarm resolves. Default 3.</summary>
    public int ResolveAfter { get; set; } = 3;

    /// <summary>
    /// With <c>Serving:Redis</c> set: how long after a window's aligned end each replica waits for the
    /// others' counts before reading the merged window. Longer than the evaluation interval plus the
    /// replicas' clock skew. Default 2 s.
    /// </summary>
    public TimeSpan MergeGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>With <c>Serving:Redis</c> set: the longest one publish or read may take before the local window is evaluated alone. Default 1 s.</summary>
    public TimeSpan MergeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// With <c>Serving:Redis</c> set: KS sample values kept per column of a merged window, first published
    /// first kept. Default 10,000, the largest sample KS computes exactly.
    /// </summary>
    public int MergedSampleCapacity { get; set; } = 10_000;

    /// <summary>With <c>Serving:Redis</c> set: the prefix of the merged window keys. Default <c>serving:drift</c>.</summary>
    public string RedisKeyPrefix { get; set; } = "serving:drift";

    /// <inheritdoc/>
    public IEnumerable<string?> Problems()
    {
        yield return SettingRules.Positive(Section + ":" + nameof(EvaluationInterval), EvaluationInterval);
        yield return SettingRules.AtLeast(Section + ":" + nameof(WindowRows), WindowRows, 1);
        yield return SettingRules.Positive(Section + ":" + nameof(WindowDuration), WindowDuration);
        yield return SettingRules.AtLeast(Section + ":" + nameof(SampleCapacity), SampleCapacity, 1);
        yield return SettingRules.AtLeast(Section + ":" + nameof(FireAfter), FireAfter, 1);
        yield return SettingRules.AtLeast(Section + ":" + nameof(FireWindow), FireWindow, FireAfter);
        yield return SettingRules.AtLeast(Section + ":" + nameof(ResolveAfter), ResolveAfter, 1);
        yield return SettingRules.AtLeast(Section + ":" + nameof(HistorySize), HistorySize, 1);
        yield return SettingRules.Between(Section + ":" + nameof(KsPValue), KsPValue, 0.0, 1.0);
        yield return SettingRules.Between(Section + ":" + nameof(MissingRateWarning), MissingRateWarning, 0.0, 1.0);
        yield return SettingRules.Between(Section + ":" + nameof(MissingRateCritical), MissingRateCritical, 0.0, 1.0);
    }
}
