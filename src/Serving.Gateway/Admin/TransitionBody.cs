namespace Serving.Gateway.Admin;

/// <summary>The body of <c>POST /admin/models/{model}/versions/{version}/transition</c>.</summary>
internal sealed record TransitionBody
{
    /// <summary>The target stage: <c>Staging</c>, <c>Production</c> or <c>Archived</c> (any case).</summary>
    public string? Stage { get; init; }

    /// <summary>Who approves (required for Production; recorded as the actor otherwise).</summary>
    public string? Approver { get; init; }

    /// <summary>Why (required for Production).</summary>
    public string? Reason { get; init; }

    /// <summary>Override a promotion gate refusal.</summary>
    public bool Force { get; init; }

    /// <summary>Why the gate is overridden (required with <see cref="Force"/>).</summary>
    public string? ForceReason { get; init; }
}
