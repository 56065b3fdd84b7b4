using System.Globalization;
using Prometheus;
using Serving.Core.Storage;
using StackExchange.Redis;

namespace Serving.Gateway.Storage;

/// <summary>
/// The generation marker of a Redis store (registry, rollouts): key <c>{prefix}:epoch</c> holds an id
/// that the store's replicas remember. Redis restarted without persistence, flushed, or a gateway given
/// another key prefix all show the same way: the marker is missing. The first replica to notice writes
/// its last known content back and sets a new marker, in one script, so concurrent replicas never both
/// restore (the others find the new marker and adopt it).
/// </summary>
internal sealed partial class RedisEpoch
{
    // Returns {0, epoch} when a marker exists, {1, epoch} when the store had content but no marker
    // (written by a version before markers; adopted as is), {2, epoch} when the store was empty and the
    // items were written back (none: a new, empty store), {-2} when a trail's head moved since the items'
    // audit entries were chained to it (chain them again and retry). An item's audit entry is appended to
    // the model's trail, which may hold entries already (the other store's, or a trail the loss spared).
    // KEYS: epoch, model set. ARGV: new epoch, channel, hash field, item key prefix, audit key prefix
    // ('' for none), then per item: name, revision, json, trail head the entry was chained to, audit
    // entry ('' for none).
    private const string RestoreScript = RedisAuditTrail.Functions + """
        local current = redis.call('GET', KEYS[1])
        if current then
          return {0, current}
        end
        if redis.call('SCARD', KEYS[2]) > 0 then
          redis.call('SET', KEYS[1], ARGV[1])
          return {1, ARGV[1]}
        end
        for i = 6, #ARGV, 5 do
          if ARGV[5] ~= '' and ARGV[i + 4] ~= '' and audit_head(ARGV[5] .. ARGV[i]) ~= ARGV[i + 3] then
            return {-2, ''}
          end
        end
        for i = 6, #ARGV, 5 do
          redis.call('HSET', ARGV[4] .. ARGV[i], 'rev', ARGV[i + 1], ARGV[3], ARGV[i + 2])
          redis.call('SADD', KEYS[2], ARGV[i])
          if ARGV[5] ~= '' and ARGV[i + 4] ~= '' then
            audit_append(ARGV[5] .. ARGV[i], ARGV[i + 4])
          end
        end
        redis.call('SET', KEYS[1], ARGV[1])
        for i = 6, #ARGV, 5 do
          redis.call('PUBLISH', ARGV[2], ARGV[i])
        end
        return {2, ARGV[1]}
        """;

    private const int MaxRestoreAttempts = 8;

    private static readonly Counter Repairs = Prometheus.Metrics.CreateCounter(
        "serving_registry_repairs_total",
        "Times this replica found a shared store (registry or rollouts) without its data and restored it from its last known state.",
        new CounterConfiguration { LabelNames = ["store"] });

    private readonly IConnectionMultiplexer _redis;
    private readonly string _store;
    private readonly ILogger _logger;
    private volatile string? _current;

    /// <summary>Creates the marker of the store under <paramref name="keyPrefix"/>; <paramref name="remembered"/> is the epoch of the replica's snapshot.</summary>
    public RedisEpoch(IConnectionMultiplexer redis, string keyPrefix, string store, string? remembered, ILogger logger)
    {
        _redis = redis;
        _store = store;
        _logger = logger;
        _current = remembered;
        Key = keyPrefix + ":epoch";
    }

    /// <summary>The marker key.</summary>
    public RedisKey Key { get; }

    /// <summary>The epoch this replica has read the store under; null before the first check.</summary>
    public string? Current => _current;

    /// <summary>Who this replica is, in audit entries and logs.</summary>
    public static string ReplicaId { get; } = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}");

    /// <summary>
    /// Reads the whole store with <paramref name="read"/> and returns it only if the marker, checked
    /// after the read, is still the one this replica knows, remembering it in <paramref name="snapshot"/>;
    /// otherwise runs <paramref name="restore"/> (which restores or adopts the marker) and reads again.
    /// An unreachable Redis surfaces as an <see cref="IOException"/> with a one-line reason.
    /// </summary>
    public async Task<List<T>> ReadAsync<T>(
        Func<Task<List<T>>> read, StoreSnapshot<T> snapshot, Func<Task<bool>> restore, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var items = await ReachableAsync(read()).ConfigureAwait(false);

            if (await IsCurrentAsync().ConfigureAwait(false))
            {
                await snapshot.RememberAsync(_current!, items, cancellationToken).ConfigureAwait(false);
                return items;
            }

            if (attempt == 3)
            {
                throw new InvalidDataException($"the epoch marker {Key} of the {_store} store kept changing while it was read");
            }

            await restore().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Awaits a read of this store; an unreachable Redis becomes an <see cref="IOException"/> with a
    /// one-line reason (the client's own message runs to a screenful of connection diagnostics, and
    /// readiness and the log should say what an operator needs).
    /// </summary>
    public async Task<TResult> ReachableAsync<TResult>(Task<TResult> read)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (RedisConnectionException ex)
        {
            throw new IOException($"Redis is unreachable ({ex.FailureType}); the {_store} store cannot be read", ex);
        }
    }

    /// <summary>Whether the stored marker is the one this replica read the store under (checked after a read, so the read is trusted only if true).</summary>
    public async Task<bool> IsCurrentAsync()
    {
        var stored = await _redis.GetDatabase().StringGetAsync(Key).ConfigureAwait(false);
        return _current is not null && stored == _current;
    }

    /// <summary>
    /// Makes sure the store has a marker: adopts the one there, or, when the store is empty, writes
    /// <paramref name="items"/> back under a new marker, each with its audit entry appended to the model's
    /// trail under <paramref name="auditKeyPrefix"/> (counted in <c>serving_registry_repairs_total</c> and
    /// logged when there was something to restore). Returns whether this call restored items.
    /// </summary>
    public async Task<bool> RestoreAsync(
        RedisKey modelsKey, RedisChannel channel, string field, string itemKeyPrefix, string? auditKeyPrefix, IReadOnlyList<RestoredItem> items)
    {
        var db = _redis.GetDatabase();
        var existing = await db.StringGetAsync(Key).ConfigureAwait(false);
        if (existing.HasValue)
        {
            // The common case (a replica starting on a healthy store): adopt without reading any trail.
            Adopt((string)existing!);
            return false;
        }

        for (var attempt = 1; ; attempt++)
        {
            var arguments = await ArgumentsAsync(db, channel, field, itemKeyPrefix, auditKeyPrefix, items).ConfigureAwait(false);
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(RestoreScript, [Key, modelsKey], arguments).ConfigureAwait(false))!;
            var outcome = (int)result[0];
            if (outcome == -2)
            {
                if (attempt == MaxRestoreAttempts)
                {
                    throw new InvalidDataException($"the audit trails kept changing while the {_store} store was restored; retry");
                }

                continue;
            }

            if (outcome == 2 && items.Count > 0)
            {
                _current = (string)result[1]!;
                Repairs.WithLabels(_store).Inc();
                LogRestored(_store, items.Count, ReplicaId);
                return true;
            }

            Adopt((string)result[1]!);
            return false;
        }
    }

    private void Adopt(string epoch)
    {
        var previous = _current;
        _current = epoch;
        if (previous != epoch)
        {
            LogAdopted(_store, epoch);
        }
    }

    /// <summary>The restore script's arguments: a new epoch, then per item its content and its audit entry chained to the trail's current head.</summary>
    private static async Task<RedisValue[]> ArgumentsAsync(
        IDatabase db, RedisChannel channel, string field, string itemKeyPrefix, string? auditKeyPrefix, IReadOnlyList<RestoredItem> items)
    {
        var arguments = new RedisValue[5 + (5 * items.Count)];
        arguments[0] = Guid.NewGuid().ToString("N");
        arguments[1] = channel.ToString();
        arguments[2] = field;
        arguments[3] = itemKeyPrefix;
        arguments[4] = auditKeyPrefix ?? string.Empty;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var at = 5 + (5 * i);
            arguments[at] = item.Model;
            arguments[at + 1] = item.Revision.ToString(CultureInfo.InvariantCulture);
            arguments[at + 2] = item.Json;
            arguments[at + 3] = string.Empty;
            arguments[at + 4] = string.Empty;
            if (auditKeyPrefix is not null && item.AuditEntry is { } entry)
            {
                (arguments[at + 3], var linked) = await RedisAuditTrail.LinkAsync(db, auditKeyPrefix + item.Model, [entry]).ConfigureAwait(false);
                arguments[at + 4] = linked[0];
            }
        }

        return arguments;
    }

    [LoggerMessage(EventId = 1141, Level = LogLevel.Warning, Message = "The {Store} store had lost its data (no epoch marker, no content); restored {Count} model(s) from replica {Replica}'s last known state")]
    private partial void LogRestored(string store, int count, string replica);

    [LoggerMessage(EventId = 1142, Level = LogLevel.Information, Message = "The {Store} store is at epoch {Epoch}")]
    private partial void LogAdopted(string store, string epoch);
}
