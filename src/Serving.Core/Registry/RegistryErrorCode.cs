namespace Serving.Core.Registry;

/// <summary>Why a registry operation was refused; the admin API maps each to one HTTP status.</summary>
internal enum RegistryErrorCode
{
    /// <summary>Malformed input: a bad name, version, stage, path or missing field (400).</summary>
    InvalidArgument = 0,

    /// <summary>The model, version or alias does not exist (404).</summary>
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

    /// <summary>Concurrent writers kept winning the compare-and-swap past the retry budget (409).</summary>
    Conflict = 7,
}
