namespace Serving.Gateway.Admin;

/// <summary>What a named admin identity may do; each role includes the ones before it.</summary>
internal enum AdminRole
{
    /// <summary>Reads: registry, rollouts, drift, audit.</summary>
    Viewer,

    /// <summary>Changes: register, stage, aliases, rollout plans and weights, abort, rollback.</summary>
    Operator,

    /// <summary>Promotions: a stage transition (to Production among others) and a rollout's promote.</summary>
    Approver,
}
