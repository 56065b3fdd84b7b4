using Serving.Core.Registry;

namespace Serving.Gateway.Admin;

/// <summary>The answer of <c>GET /admin/models/{model}/audit/verify</c>.</summary>
/// <param name="Model">The model name.</param>
/// <param name="Valid">Whether the hash chain is intact.</param>
/// <param name="Entries">How many entries the trail holds.</param>
/// <param name="FirstBroken">The first entry (1-based) that breaks the chain; absent when valid.</param>
/// <param name="Reason">Why it breaks the chain; absent when valid.</param>
/// <param name="ExpectedEntries">How many entries the trail's head record says it has, when the newest were removed or replaced; else absent.</param>
internal sealed record AuditVerifyResponse(string Model, bool Valid, int Entries, int? FirstBroken, string? Reason, long? ExpectedEntries)
{
    /// <summary>The response for <paramref name="model"/>'s verification.</summary>
    public static AuditVerifyResponse From(string model, AuditVerification verification) =>
        new(model, verification.Valid, verification.Entries, verification.FirstBroken, verification.Reason, verification.ExpectedEntries);
}
