using Serving.Core.Drift;

namespace Serving.Gateway.Drift;

/// <summary>The snake_case names the admin API and the persisted history give drift enums.</summary>
internal static class DriftNames
{
    public static string Kind(DriftColumnKind kind) => kind == DriftColumnKind.Feature ? "feature" : "output";

    public static string Test(DriftTest test) => test switch
    {
        DriftTest.KolmogorovSmirnov => "ks",
        DriftTest.ChiSquare => "chi2",
        _ => "missing_rate",
    };

    public static string Verdict(DriftVerdict verdict) => verdict switch
    {
        DriftVerdict.InsufficientData => "insufficient_data",
        DriftVerdict.NoDrift => "no_drift",
        _ => "drift",
    };

    public static string Severity(DriftSeverity severity) => severity switch
    {
        DriftSeverity.None => "none",
        DriftSeverity.Warning => "warning",
        _ => "critical",
    };

    public static string State(AlarmState state) => state switch
    {
        AlarmState.Ok => "ok",
        AlarmState.Pending => "pending",
        AlarmState.Firing => "firing",
        _ => "resolved",
    };

    public static string Correction(MultipleTestingCorrection correction) => correction switch
    {
        MultipleTestingCorrection.BenjaminiHochberg => "benjamini_hochberg",
        MultipleTestingCorrection.Bonferroni => "bonferroni",
        _ => "none",
    };
}
