using System.Text.Json.Serialization;

namespace Serving.Gateway.Admin;

/// <summary>The body of <c>POST /admin/rollouts/{model}/start|pause|resume|promote|abort</c>; optional.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record RolloutCommandBody
{
    /// <summary>An empty body: anonymous, no reason.</summary>
    public static RolloutCommandBody Empty { get; } = new();

    /// <summary>Who; recorded as the policy's <c>updated_by</c>.</summary>
    public string? Actor { get; init; }

    /// <summary>Why; recorded as the policy's <c>reason</c> (and, for promote and abort, the controller's).</summary>
    public string? Reason { get; init; }
}
