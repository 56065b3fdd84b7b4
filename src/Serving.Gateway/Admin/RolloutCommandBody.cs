using System.Text.Json.Serialization;

namespace Serving.Gateway.Admin;

/// <summary>The body of <c>POST /admin/rollouts/{model}/start|pause|resume|promote|abort</c>: <c>reason</c> is required.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record RolloutCommandBody
{
    /// <summary>An empty body: anonymous, no reason (refused for the missing reason).</summary>
    public static RolloutCommandBody Empty { get; } = new();

    /// <summary>Who, when the caller has no named admin identity; recorded as the policy's <c>updated_by</c>.</summary>
    public string? Actor { get; init; }

    /// <summary>Why; required. Recorded as the policy's <c>reason</c> and in the audit trail (and, for promote and abort, the controller's).</summary>
    public string? Reason { get; init; }
}
