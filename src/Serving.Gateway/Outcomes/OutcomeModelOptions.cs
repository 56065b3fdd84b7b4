namespace Serving.Gateway.Outcomes;

/// <summary>Outcome settings of one model (<c>Serving:Outcomes:Models:{model}</c>).</summary>
public sealed class OutcomeModelOptions
{
    /// <summary>Logs this model's predictions for feedback; null follows <see cref="OutcomeOptions.Enabled"/>.</summary>
    public bool? Enabled { get; set; }

    /// <summary>The output holding the score; default the version's <c>prediction_output</c>, else its first output.</summary>
    public string? ScoreOutput { get; set; }

    /// <summary>
    /// Which element of a row of <see cref="ScoreOutput"/> is the score; default -1, the row's last element
    /// (the only one of a <c>[n, 1]</c> output, the class-1 probability of a <c>[n, 2]</c> one).
    /// </summary>
    public int ScoreIndex { get; set; } = -1;

    /// <summary>Classifier (default) or regressor.</summary>
    public OutcomeKind Kind { get; set; } = OutcomeKind.Classifier;

    /// <summary>A classifier predicts class 1 when its score is at least this. Default 0.5.</summary>
    public double Threshold { get; set; } = 0.5;
}
