namespace Serving.Gateway.Outcomes;

/// <summary>What a model's score is, which decides the labels it takes and the metrics it gets.</summary>
public enum OutcomeKind
{
    /// <summary>The score is the probability of class 1; labels are 0 or 1 (AUC, log loss, Brier, accuracy, calibration).</summary>
    Classifier,

    /// <summary>The score is a predicted value; labels are numbers (MAE, RMSE).</summary>
    Regressor,
}
