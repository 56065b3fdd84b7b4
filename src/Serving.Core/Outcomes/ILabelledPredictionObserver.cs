namespace Serving.Core.Outcomes;

/// <summary>
/// Receives every prediction the feedback API joined with its label. Called off the request path (on the feedback
/// request's thread, after the join), once per labelled prediction; implementations must be thread-safe and cheap,
/// and must not throw for data they cannot use.
/// </summary>
internal interface ILabelledPredictionObserver
{
    /// <summary>Takes one joined prediction.</summary>
    void Observe(LabelledPrediction prediction);
}
