namespace Serving.Core.Outcomes;

/// <summary>The verdict of one look at an experiment by the <see cref="SequentialTest"/>.</summary>
internal enum ExperimentDecision
{
    /// <summary>Not enough evidence either way yet (or too few observations): keep collecting.</summary>
    Wait,

    /// <summary>The treatment is significantly better, or significantly not worse than the non-inferiority margin.</summary>
    Pass,

    /// <summary>The treatment is significantly worse than the control.</summary>
    Fail,
}
