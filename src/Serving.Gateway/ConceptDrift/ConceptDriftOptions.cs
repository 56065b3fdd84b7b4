namespace Serving.Gateway.ConceptDrift;

/// <summary>The concept-drift alarm (<c>Serving:ConceptDrift:*</c>): a Page–Hinkley detector per model version on the stream of its prediction errors.</summary>
public sealed class ConceptDriftOptions
{
    /// <summary>Whether labelled predictions feed the detectors. Default true (nothing happens until feedback arrives).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>δ: a rise in mean error smaller than this never accumulates. Default 0.05.</summary>
    public double Delta { get; set; } = 0.05;

    /// <summary>λ: the alarm threshold; delay ≈ λ / (rise − δ) labelled predictions. Default 15.</summary>
    public double Threshold { get; set; } = 15.0;

    /// <summary>No alarm before this many errors since the start or the last alarm. Default 30.</summary>
    public int MinimumObservations { get; set; } = 30;

    /// <summary>The decision threshold at which a classifier's prediction counts as class 1. Default 0.5.</summary>
    public double DecisionThreshold { get; set; } = 0.5;

    /// <summary>A regressor's first labelled predictions, whose mean absolute error becomes its error scale (see docs/outcomes.md). Default 100.</summary>
    public int RegressorScaleObservations { get; set; } = 100;

    /// <summary>How long an alarm stays firing after its last detection; a new detection in that time extends it. Default 24 hours.</summary>
    public TimeSpan Hold { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often firing alarms are re-sent to Alertmanager, expired ones resolved and the state persisted. Default 15 s.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(15);
}
