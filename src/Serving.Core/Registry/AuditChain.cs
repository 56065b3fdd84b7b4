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
/// but the last breaks the chain at that entry or the one after it.
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

    /// <summary>Checks a trail as stored (one JSON entry per item, oldest first) and names the first entry (1-based) that breaks the chain.</summary>
    public static AuditVerification Verify(IReadOnlyList<string> stored)
    {
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
        }

        return AuditVerification.Ok(stored.Count);
    }
}
