namespace Serving.Core.Registry;

/// <summary>The result of <see cref="AuditChain.Verify"/>.</summary>
/// <param name="Valid">Whether every entry follows the one before it and matches its hash, and the trail ends where its head record says.</param>
/// <param name="Entries">How many entries the trail holds.</param>
/// <param name="FirstBroken">The first entry (1-based) that breaks the chain, or the first one missing; null when valid or when the trail has no head record.</param>
/// <param name="Reason">Why that entry breaks it; null when valid.</param>
/// <param name="ExpectedEntries">How many entries the head record says the trail has, when that is what is wrong; else null.</param>
internal sealed record AuditVerification(bool Valid, int Entries, int? FirstBroken, string? Reason, long? ExpectedEntries = null)
{
    /// <summary>An intact trail.</summary>
    public static AuditVerification Ok(int entries) => new(true, entries, null, null);

    /// <summary>A trail broken at entry <paramref name="firstBroken"/>.</summary>
    public static AuditVerification Broken(int entries, int? firstBroken, string reason, long? expectedEntries = null) =>
        new(false, entries, firstBroken, reason, expectedEntries);
}
