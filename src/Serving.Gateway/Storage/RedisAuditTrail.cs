using System.Text.Json;
using Serving.Core.Registry;
using StackExchange.Redis;

namespace Serving.Gateway.Storage;

/// <summary>
/// A model's audit trail in Redis: the list <c>{registry prefix}:audit:{model}</c>, one JSON entry per
/// item, oldest first, chained (<see cref="AuditChain"/>), shared by the registry and the rollout store.
/// Entries are only ever appended, by the same script that commits the change, and only if the list's
/// last entry is still the head the entries were chained to (<see cref="Functions"/>), so two writers
/// never fork the chain: the loser re-reads the head and retries. The same script replaces the trail's
/// head record (<see cref="AuditHead"/>), the hash <c>{registry prefix}:audit:{model}:head</c> with
/// <c>count</c> and <c>hash</c>, so removing the newest entries shows in <see cref="VerifyAsync"/>.
/// </summary>
internal static class RedisAuditTrail
{
    /// <summary>
    /// Lua prepended to every script that appends to a trail. <c>audit_head(key)</c>: the hash of the
    /// list's last entry, the genesis hash for an empty list, '' for a last entry without one.
    /// <c>audit_append(key, entry)</c>: appends a chained entry and replaces the head record
    /// (<c>key..':head'</c>) with the count (<see cref="AuditHead.NextCount"/>) and the entry's hash.
    /// </summary>
    public const string Functions = $$"""
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
        local function audit_append(key, entry)
          local count = tonumber(redis.call('HGET', key .. '{{HeadSuffix}}', 'count') or '0')
          local length = redis.call('LLEN', key)
          if length > count then
            count = length
          end
          redis.call('RPUSH', key, entry)
          redis.call('HSET', key .. '{{HeadSuffix}}', 'count', count + 1, 'hash', cjson.decode(entry)['hash'])
        end

        """;

    private const string HeadSuffix = ":head";

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

    /// <summary>Checks the trail as stored, and that it ends where its head record says (both read in one transaction).</summary>
    public static async Task<AuditVerification> VerifyAsync(IDatabase db, RedisKey key)
    {
        var read = db.CreateTransaction();
        var list = read.ListRangeAsync(key);
        var count = read.HashGetAsync(HeadKey(key), "count");
        var hash = read.HashGetAsync(HeadKey(key), "hash");
        if (!await read.ExecuteAsync().ConfigureAwait(false))
        {
            throw new InvalidDataException($"the audit trail {key} could not be read in one transaction; retry");
        }

        var values = await list.ConfigureAwait(false);
        var stored = new string[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            stored[i] = (string)values[i]!;
        }

        var (headCount, headHash) = (await count.ConfigureAwait(false), await hash.ConfigureAwait(false));
        var head = headCount.IsNull || !headCount.TryParse(out long parsed) ? null : new AuditHead(parsed, (string?)headHash ?? string.Empty);
        return AuditChain.Verify(stored, head);
    }

    /// <summary>The head record's key of the trail <paramref name="key"/>.</summary>
    public static RedisKey HeadKey(RedisKey key) => key.Append(HeadSuffix);
}
