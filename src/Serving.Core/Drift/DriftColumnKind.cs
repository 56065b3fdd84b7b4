namespace Serving.Core.Drift;

/// <summary>Whether a monitored column is a model input feature or a model output.</summary>
internal enum DriftColumnKind
{
    /// <summary>An input feature of the request.</summary>
    Feature,

    /// <summary>An output of the model (a prediction, score or probability).</summary>
    Output,
}
