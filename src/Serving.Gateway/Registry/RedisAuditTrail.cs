using System.Text.Json;
using Serving.Core.Registry;
using StackExchange.Redis;

namespace Serving.Gateway.Registry;

/// <summary>
/// A model's audit trail in Redis: the list <c>{registry prefix}:audit:{model}</c>, one JSON entry per
/// item, oldest first, chained (<see cref="AuditChain"/>), shared by the registry and the rollout store.
/// Entries are only ever appended, by the same script that commits the change, and only if the list's
/// last entry is still the head the entries were chained to (<see cref="HeadFunction"/>), so two writers
/// never fork the chain: the loser re-reads the head and retries.
/// </summary>
internal static class RedisAuditTrail
{
    /// <summary>
    /// Lua defining <c>audit_head(key)</c>: the hash of the list's last entry, the genesis hash for an
    /// empty list, '' for a last entry without one. Prepended to the commit scripts.
    /// </summary>
    public const string HeadFunction = $$"""
        local function audit_head(key)
          local last = redis.call('LINDEX', key, -1)
          if not last then
            return '{{AuditChain.Genesis}}'
          end
          local hash = cjson.decode(last)['hash']
          if type(hash) ~= 'string' then
            return ''
          end
          return hash
        end

        """;

    /// <summary>The trail key of <paramref name="model"/> under the registry's key prefix.</summary>
    public static RedisKey Key(string registryPrefix, string model) => $"{registryPrefix}:audit:{model}";

    /// <summary>Chains <paramref name="entries"/> to the list's current head: the head and the entries as stored.</summary>
    public static async Task<(RedisValue Head, RedisValue[] Entries)> LinkAsync(IDatabase db, RedisKey key, IReadOnlyList<AuditEntry> entries)
    {
        var last = await db.ListGetByIndexAsync(key, -1).ConfigureAwait(false);
        var head = last.IsNull ? AuditChain.Genesis : AuditChain.Parse((string)last!, -1, key.ToString()).Hash ?? string.Empty;
        var linked = AuditChain.Link(head, entries);
        var values = new RedisValue[linked.Length];
        for (var i = 0; i < linked.Length; i++)
        {
            values[i] = JsonSerializer.Serialize(linked[i], RegistryJsonContext.Default.AuditEntry);
        }

        return (head, values);
    }

    /// <summary>The first entry of a new trail (after the store lost its data), as stored.</summary>
    public static string First(AuditEntry entry) =>
        JsonSerializer.Serialize(AuditChain.Link(AuditChain.Genesis, [entry])[0], RegistryJsonContext.Default.AuditEntry);

    /// <summary>The trail, oldest first.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> ReadAsync(IDatabase db, RedisKey key)
    {
        var values = await db.ListRangeAsync(key).ConfigureAwait(false);
        var entries = new AuditEntry[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            entries[i] = AuditChain.Parse((string)values[i]!, i + 1, key.ToString());
        }

        return entries;
    }

    /// <summary>Checks the trail as stored.</summary>
    public static async Task<AuditVerification> VerifyAsync(IDatabase db, RedisKey key)
    {
        var values = await db.ListRangeAsync(key).ConfigureAwait(false);
        var stored = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            stored[i] = (string)values[i]!;
        }

        return AuditChain.Verify(stored);
    }
}
