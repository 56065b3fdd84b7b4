namespace Serving.Core.Registry;

/// <summary>
/// The lifecycle stage of a model version. Legal moves between stages are listed in
/// <see cref="StageTransitions"/>; at most one version of a model is <see cref="Production"/>.
/// </summary>
internal enum ModelStage
{
    /// <summary>Registered, not yet chosen for anything.</summary>
    None = 0,

    /// <summary>A candidate: may be served as canary or shadow, may be promoted.</summary>
    Staging = 1,

    /// <summary>The version that answers a model's traffic by default; one per model.</summary>
    Production = 2,

    /// <summary>Retired; kept for audit and rollback.</summary>
    Archived = 3,
}
