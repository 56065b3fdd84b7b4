namespace Serving.Core.Registry;

/// <summary>
/// The head record of a model's audit trail, stored apart from the trail and written in the same step as
/// every append: how many entries the trail has had and the hash of the newest. The hash chain shows an
/// entry changed, removed or inserted anywhere but at the end; the head record shows the newest entries
/// removed (the trail is then shorter than <see cref="Count"/>) or replaced (the entry at
/// <see cref="Count"/> no longer has <see cref="Hash"/>).
/// </summary>
/// <param name="Count">How many entries the trail has had.</param>
/// <param name="Hash">The <see cref="AuditEntry.Hash"/> of the newest entry.</param>
internal sealed record AuditHead(long Count, string Hash)
{
    /// <summary>
    /// The count after appending <paramref name="appended"/> entries to a trail of <paramref name="stored"/>
    /// entries whose head record is <paramref name="head"/>. It counts on from the larger of the two, so a
    /// trail cut short stays short of its count after later appends (the removal stays visible), and entries
    /// appended just before a crash that lost their head record are counted by the next append.
    /// </summary>
    public static long NextCount(AuditHead? head, long stored, int appended) => Math.Max(head?.Count ?? 0, stored) + appended;
}
