using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Serving.Core.Registry;

/// <summary>
/// The hash chain that makes a model's audit trail tamper-evident. An entry's canonical bytes are its
/// JSON as the stores write it (<see cref="RegistryJsonContext"/>, camelCase, nulls omitted) without
/// its <see cref="AuditEntry.Hash"/>; its hash is the SHA-256 of those bytes, which include the hash of
/// the entry before it (<see cref="AuditEntry.Previous"/>). Changing, removing or reordering any entry
/// but the last breaks the chain at that entry or the one after it; removing or replacing the newest
/// entries shows against the trail's <see cref="AuditHead"/>, kept apart from it.
/// </summary>
internal static class AuditChain
{
    /// <summary>The <see cref="AuditEntry.Previous"/> of the first entry of a trail.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>Chains <paramref name="entries"/> after <paramref name="head"/>: each gets its previous hash and its own.</summary>
    public static ImmutableArray<AuditEntry> Link(string head, IReadOnlyList<AuditEntry> entries)
    {
        var linked = ImmutableArray.CreateBuilder<AuditEntry>(entries.Count);
        foreach (var entry in entries)
        {
            var chained = entry with { Previous = head, Hash = null };
            chained = chained with { Hash = HashOf(chained) };
            linked.Add(chained);
            head = chained.Hash!;
        }

        return linked.MoveToImmutable();
    }

    /// <summary>The SHA-256 (lower-case hex) of the entry's canonical bytes.</summary>
    public static string HashOf(AuditEntry entry)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(entry with { Hash = null }, RegistryJsonContext.Default.AuditEntry);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Reads one stored entry; <see cref="InvalidDataException"/> naming <paramref name="where"/> and the entry when it does not parse.</summary>
    public static AuditEntry Parse(string json, int number, string where)
    {
        try
        {
            return JsonSerializer.Deserialize(json, RegistryJsonContext.Default.AuditEntry)
                ?? throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"audit entry {number} of {where} is empty"));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"audit entry {number} of {where} is not valid JSON: {ex.Message}"), ex);
        }
    }

    /// <summary>
    /// Checks a trail as stored (one JSON entry per item, oldest first) against its head record
    /// (<paramref name="head"/>, null when there is none) and names the first entry (1-based) that breaks the
    /// chain, or the newest entries that were removed or replaced.
    /// </summary>
    public static AuditVerification Verify(IReadOnlyList<string> stored, AuditHead? head)
    {
        var hashes = new string[stored.Count];
        var previous = Genesis;
        for (var i = 0; i < stored.Count; i++)
        {
            var number = i + 1;
            AuditEntry entry;
            try
            {
                entry = Parse(stored[i], number, "the trail");
            }
            catch (InvalidDataException ex)
            {
                return AuditVerification.Broken(stored.Count, number, ex.Message);
            }

            if (!string.Equals(entry.Previous, previous, StringComparison.Ordinal))
            {
                return AuditVerification.Broken(stored.Count, number, string.Create(CultureInfo.InvariantCulture,
                    $"entry {number} does not follow entry {i}: its previous hash is '{entry.Previous}', expected '{previous}' (an entry was changed, removed or inserted)"));
            }

            if (!string.Equals(entry.Hash, HashOf(entry), StringComparison.Ordinal))
            {
                return AuditVerification.Broken(stored.Count, number, string.Create(CultureInfo.InvariantCulture,
                    $"entry {number} was changed after it was written: its content does not match its hash"));
            }

            previous = entry.Hash!;
            hashes[i] = previous;
        }

        return CheckHead(hashes, head);
    }

    /// <summary>Whether an intact chain ends where its head record says.</summary>
    private static AuditVerification CheckHead(string[] hashes, AuditHead? head)
    {
        var found = hashes.Length;
        if (head is null)
        {
            return found == 0
                ? AuditVerification.Ok(0)
                : AuditVerification.Broken(found, null, string.Create(CultureInfo.InvariantCulture,
                    $"the trail holds {found} entries but has no head record: it was removed (or the trail was written before head records existed; its next change writes one)"));
        }

        if (head.Count > found)
        {
            var missing = head.Count - found;
            return AuditVerification.Broken(found, found + 1, string.Create(CultureInfo.InvariantCulture,
                $"the trail was truncated: its head record says {head.Count} entries, found {found}; {(missing == 1 ? $"the newest entry ({head.Count}) was" : $"the newest {missing} entries ({found + 1}-{head.Count}) were")} removed"),
                head.Count);
        }

        if (head.Count < 1 || !string.Equals(hashes[head.Count - 1], head.Hash, StringComparison.Ordinal))
        {
            return AuditVerification.Broken(found, (int)Math.Max(head.Count, 1), string.Create(CultureInfo.InvariantCulture,
                $"entry {head.Count} is not the one the head record names (hash '{head.Hash}'): the newest entries were replaced"),
                head.Count);
        }

        // More entries than the head counts, chained after the one it names: appended by a file-store
        // write that stopped before its head record (the next append counts them). Redis writes both at once.
        return AuditVerification.Ok(found);
    }
}
