namespace Serving.Core.Registry;

/// <summary>The result of <see cref="AuditChain.Verify"/>.</summary>
/// <param name="Valid">Whether every entry follows the one before it and matches its hash.</param>
/// <param name="Entries">How many entries the trail holds.</param>
/// <param name="FirstBroken">The first entry (1-based) that breaks the chain; null when valid.</param>
/// <param name="Reason">Why that entry breaks it; null when valid.</param>
internal sealed record AuditVerification(bool Valid, int Entries, int? FirstBroken, string? Reason)
{
    /// <summary>An intact trail.</summary>
    public static AuditVerification Ok(int entries) => new(true, entries, null, null);

    /// <summary>A trail broken at entry <paramref name="firstBroken"/>.</summary>
    public static AuditVerification Broken(int entries, int firstBroken, string reason) => new(false, entries, firstBroken, reason);
}
