namespace Serving.Core.Storage;

/// <summary>
/// Why a registry or rollout operation was refused: the one error vocabulary of the stores and their rules.
/// Each maps to one HTTP status, in one place (<c>AdminResults.StatusCode</c> in the gateway).
/// </summary>
internal enum StoreErrorCode
{
    /// <summary>Malformed input or a rule broken: a bad name, version, stage, path, field or policy (400).</summary>
    InvalidArgument = 0,

    /// <summary>The model, version, alias or rollout policy does not exist (404).</summary>
    NotFound = 1,

    /// <summary>The version number is already registered (409).</summary>
    AlreadyExists = 2,

    /// <summary>The stage transition is not in the legal table (409).</summary>
    InvalidTransition = 3,

    /// <summary>A promotion lacks an approver or a reason, or a forced one lacks a force reason (400).</summary>
    ApprovalRequired = 4,

    /// <summary>The candidate's offline metrics regress beyond tolerance against Production (422).</summary>
    GateRejected = 5,

    /// <summary>Rollback has no previous Production version to return to (409).</summary>
    NoPreviousProduction = 6,

    /// <summary>
    /// The stored revision is not the one read: another writer got there first (re-read and retry), or
    /// concurrent writers kept winning past the retry budget (409).
    /// </summary>
    Conflict = 7,

    /// <summary>A rollout command does not apply in the rollout's current state, e.g. resume when not paused (409).</summary>
    InvalidState = 8,

    /// <summary>
    /// A rollout policy names a version that cannot take traffic: not in the registry, or in a stage other
    /// than Staging or Production (409).
    /// </summary>
    VersionUnavailable = 9,
}
