namespace Serving.Core.Registry;

/// <summary>What kind of change an <see cref="AuditEntry"/> records.</summary>
internal enum AuditAction
{
    /// <summary>A version was registered (or seeded from the model repository).</summary>
    Register = 0,

    /// <summary>A version changed stage, including the archiving of a superseded Production version.</summary>
    Transition = 1,

    /// <summary>An alias was set or moved.</summary>
    AliasSet = 2,

    /// <summary>An alias was removed.</summary>
    AliasRemove = 3,

    /// <summary>Production returned to the previous Production version.</summary>
    Rollback = 4,

    /// <summary>The shared store had lost its data and a replica restored the model from its last known state.</summary>
    Restore = 5,

    /// <summary>The model's rollout policy was set or changed (by an operator, the rollout controller or an alert).</summary>
    RolloutSet = 6,

    /// <summary>The model's rollout policy was deleted (the model routes to its Production version again).</summary>
    RolloutDelete = 7,

    /// <summary>The shared rollout store had lost its data and a replica restored the model's policy from its last known state.</summary>
    RolloutRestore = 8,
}
