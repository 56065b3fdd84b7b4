using System.Text.Json.Serialization;

namespace Serving.Gateway.Admin;

/// <summary>The body of <c>POST /admin/rollouts/{model}/weight</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record SetWeightBody
{
    /// <summary>The new canary weight: 0–100 in steps of 0.01. Required.</summary>
    public double? Weight { get; init; }

    /// <summary>Who, when the caller has no named admin identity; recorded as the policy's <c>updated_by</c>.</summary>
    public string? Actor { get; init; }

    /// <summary>Why; required. Recorded as the policy's <c>reason</c> and in the audit trail.</summary>
    public string? Reason { get; init; }
}
