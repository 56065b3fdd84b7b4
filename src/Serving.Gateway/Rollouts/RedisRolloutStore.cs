using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Serving.Core.Registry;
using Serving.Core.Rollouts;
using Serving.Core.Storage;
using Serving.Gateway.Registry;
using Serving.Gateway.Storage;
using StackExchange.Redis;

namespace Serving.Gateway.Rollouts;

/// <summary>
/// The rollout policies shared by gateway replicas through Redis: a change made on one replica (an
/// operator's command, or the rollout controller moving a plan along) reaches every replica's change feed
/// as soon as Redis delivers the pub/sub message, well under a second.
/// </summary>
/// <remarks>
/// Keys, under a prefix (default <c>serving:rollouts</c>):
/// <list type="bullet">
/// <item><c>{prefix}:policy:{model}</c>: a hash with <c>rev</c> (the revision) and <c>policy</c> (the policy JSON, docs/rollouts.md);</item>
/// <item><c>{prefix}:models</c>: the set of model names with a policy;</item>
/// <item><c>{registry prefix}:audit:{model}</c>: every write appends to the model's audit trail (<see cref="RedisAuditTrail"/>);</item>
/// <item><c>{prefix}:epoch</c>: the generation marker (see <see cref="RedisEpoch"/>);</item>
/// <item>channel <c>{prefix}:changed</c>: the model name is published after every committed write or delete.</item>
/// </list>
/// A write is one Lua script: compare the stored revision with the expected one and only if equal store
/// the policy, add the name to the set and publish, atomically, so two replicas never both win from the
/// same revision. Messages published while the subscription connection was down are not replayed, so
/// when it comes back the store reports every model it knows of as changed once: those in Redis, and
/// those this instance has seen (a policy deleted meanwhile is no longer in Redis, but its replica still
/// routes by it until it re-reads).
/// </remarks>
internal sealed partial class RedisRolloutStore : IRolloutStore, IDisposable
{
    /// <summary>The default key prefix.</summary>
    public const string DefaultKeyPrefix = "serving:rollouts";

    // KEYS: policy, model set, epoch marker, audit trail. Returns {1} when written, {0, stored revision}
    // on a revision mismatch, {-1} when the epoch marker is not the one this replica read the store under
    // (the store lost its data or was restored), {-2} when the audit trail's head moved.
    private const string CompareAndSwapScript = RedisAuditTrail.Functions + """
        if (redis.call('GET', KEYS[3]) or '') ~= ARGV[8] then
          return {-1}
        end
        local rev = redis.call('HGET', KEYS[1], 'rev') or '0'
        if rev ~= ARGV[1] then
          return {0, rev}
        end
        if ARGV[7] ~= '' and audit_head(KEYS[4]) ~= ARGV[6] then
          return {-2}
        end
        redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'policy', ARGV[3])
        redis.call('SADD', KEYS[2], ARGV[4])
        if ARGV[7] ~= '' then
          audit_append(KEYS[4], ARGV[7])
        end
        redis.call('PUBLISH', ARGV[5], ARGV[4])
        return {1}
        """;

    // The same keys. Returns {0} when there is no policy, {1, stored revision} on a mismatch, {2, policy}
    // when deleted, {-1} and {-2} as above.
    private const string DeleteScript = RedisAuditTrail.Functions + """
        if (redis.call('GET', KEYS[3]) or '') ~= ARGV[6] then
          return {-1}
        end
        local rev = redis.call('HGET', KEYS[1], 'rev')
        if not rev then
          return {0}
        end
        if rev ~= ARGV[1] or ARGV[5] == '' then
          return {1, rev}
        end
        if audit_head(KEYS[4]) ~= ARGV[4] then
          return {-2}
        end
        local policy = redis.call('HGET', KEYS[1], 'policy')
        redis.call('DEL', KEYS[1])
        redis.call('SREM', KEYS[2], ARGV[2])
        audit_append(KEYS[4], ARGV[5])
        redis.call('PUBLISH', ARGV[3], ARGV[2])
        return {2, policy}
        """;

    private const int MaxWriteAttempts = 8;

    private readonly IConnectionMultiplexer _redis;
    private readonly string _auditPrefix;
    private readonly TimeProvider _timeProvider;
    private readonly RedisStoreContent<RolloutPolicy> _content;
    private readonly RedisChangeChannel _channel;
    private readonly ILogger<RedisRolloutStore> _logger;
    private readonly ChangeFanOut _changes = new();
    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates the store and subscribes to the change channel before returning, so a
    /// <see cref="WatchAsync"/> started afterwards misses nothing. Nothing here needs Redis to be up.
    /// The caller owns <paramref name="redis"/>.
    /// </summary>
    /// <param name="redis">The connection, shared with the registry.</param>
    /// <param name="keyPrefix">The key and channel prefix.</param>
    /// <param name="auditPrefix">The registry's key prefix: rollout changes go to the model's audit trail there (<see cref="RedisAuditTrail"/>).</param>
    /// <param name="snapshot">This replica's last known policies, kept current by every verified <see cref="ListAsync"/>.</param>
    /// <param name="timeProvider">The clock of audit entries.</param>
    /// <param name="logger">The logger.</param>
    public RedisRolloutStore(
        IConnectionMultiplexer redis, string keyPrefix, string auditPrefix, StoreSnapshot<RolloutPolicy> snapshot, TimeProvider timeProvider, ILogger<RedisRolloutStore> logger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(logger);
        _redis = redis;
        _auditPrefix = auditPrefix;
        _timeProvider = timeProvider;
        _logger = logger;
        _content = new RedisStoreContent<RolloutPolicy>(
            redis, keyPrefix, "rollouts", "policy", "policy", RedisAuditTrail.Key(auditPrefix, string.Empty).ToString(), snapshot,
            new StoredItemFormat<RolloutPolicy>(
                static policy => policy.Model,
                Deserialize,
                static (policy, now) => new RestoredItem(
                    policy.Model,
                    policy.Revision,
                    JsonSerializer.Serialize(policy, RolloutJsonContext.Default.RolloutPolicy),
                    RolloutAudit.Restore(policy, RedisEpoch.ReplicaId, now))),
            timeProvider, logger);
        _channel = new RedisChangeChannel(redis, keyPrefix, OnChanged, OnResubscribed, logger);
        LogOpened(keyPrefix, _channel.Channel.ToString());
    }

    /// <inheritdoc />
    public async Task<RolloutPolicy?> GetAsync(string model, CancellationToken cancellationToken = default)
    {
        if (!IsValidModel(model))
        {
            return null;
        }

        RolloutPolicy? policy = await _content.GetAsync(model).ConfigureAwait(false);
        if (policy is not null)
        {
            _known.TryAdd(model, 0);
        }

        return policy;
    }

    /// <summary>
    /// Every policy, read under the store's epoch marker: a read is returned (and remembered in the
    /// snapshot) only if the marker is still the one this replica knows; a store that lost its data is
    /// restored from the snapshot first (see <see cref="RedisEpoch"/>), so replicas never drop their
    /// rollouts because Redis came back empty.
    /// </summary>
    public async Task<IReadOnlyList<RolloutPolicy>> ListAsync(CancellationToken cancellationToken = default)
    {
        List<RolloutPolicy> policies = await _content.ListAsync(cancellationToken).ConfigureAwait(false);
        foreach (RolloutPolicy policy in policies)
        {
            _known.TryAdd(policy.Model, 0);
        }

        return policies;
    }

    /// <inheritdoc />
    public async Task<StoreResult<RolloutPolicy>> CompareAndSwapAsync(RolloutPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (RolloutPolicyValidator.Check(policy) is { } invalid)
        {
            return invalid;
        }

        RolloutPolicy stored = policy with { Revision = policy.Revision + 1 };
        string json = JsonSerializer.Serialize(stored, RolloutJsonContext.Default.RolloutPolicy);
        RedisResult[] result = await EvaluateUnderEpochAsync(CompareAndSwapScript, policy.Model, async db =>
        {
            RolloutPolicy? before = await _content.ReadAsync(db, policy.Model).ConfigureAwait(false);
            RedisValue head = RedisValue.EmptyString;
            RedisValue entry = RedisValue.EmptyString;
            if (RolloutAudit.Set(before, stored, _timeProvider.GetUtcNow()) is { } change)
            {
                RedisValue[] entries;
                (head, entries) = await RedisAuditTrail.LinkAsync(db, AuditKey(policy.Model), [change]).ConfigureAwait(false);
                entry = entries[0];
            }

            return
            [
                policy.Revision.ToString(CultureInfo.InvariantCulture),
                stored.Revision.ToString(CultureInfo.InvariantCulture),
                json,
                policy.Model,
                _channel.Channel.ToString(),
                head,
                entry,
            ];
        }, cancellationToken).ConfigureAwait(false);
        if ((int)result[0] != 1)
        {
            return RolloutStoreErrors.Conflict(policy.Model, policy.Revision, ParseRevision(result[1]));
        }

        _known.TryAdd(policy.Model, 0);
        LogCommitted(policy.Model, stored.Revision);
        return stored;
    }

    /// <inheritdoc />
    public async Task<StoreResult<RolloutPolicy>> DeleteAsync(
        string model, long expectedRevision, ChangeContext? context = null, CancellationToken cancellationToken = default)
    {
        if (!IsValidModel(model))
        {
            return RolloutStoreErrors.NotFound(model);
        }

        RedisResult[] result = await EvaluateUnderEpochAsync(DeleteScript, model, async db =>
        {
            RolloutPolicy? current = await _content.ReadAsync(db, model).ConfigureAwait(false);
            RedisValue head = RedisValue.EmptyString;
            RedisValue entry = RedisValue.EmptyString;
            if (current is not null)
            {
                AuditEntry deleted = RolloutAudit.Delete(current, context ?? new ChangeContext(null, null), _timeProvider.GetUtcNow());
                RedisValue[] entries;
                (head, entries) = await RedisAuditTrail.LinkAsync(db, AuditKey(model), [deleted]).ConfigureAwait(false);
                entry = entries[0];
            }

            return [expectedRevision.ToString(CultureInfo.InvariantCulture), model, _channel.Channel.ToString(), head, entry];
        }, cancellationToken).ConfigureAwait(false);
        switch ((int)result[0])
        {
            case 0:
                return RolloutStoreErrors.NotFound(model);
            case 1:
                return RolloutStoreErrors.Conflict(model, expectedRevision, ParseRevision(result[1]));
            default:
                LogDeleted(model, expectedRevision);
                return Deserialize(model, (RedisValue)result[1])
                    ?? throw new InvalidDataException($"rollout policy {PolicyKey(model)} had a revision but no policy");
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<string> WatchAsync(CancellationToken cancellationToken = default) => _changes.WatchAsync(cancellationToken);

    /// <summary>Unsubscribes and ends every change feed; the connection stays open (its owner disposes it).</summary>
    public void Dispose()
    {
        _channel.Dispose();
        _changes.Dispose();
    }

    /// <summary>
    /// Runs a write script on <paramref name="model"/>'s keys with the arguments <paramref name="arguments"/>
    /// builds (it reads the audit trail's head) and the epoch this replica knows as the last one. When the
    /// marker is another (the store lost its data or was restored), restores or adopts it and runs the
    /// script again; when the trail's head moved, builds the arguments again (<see cref="CompareAndSwapRetry"/>,
    /// up to <see cref="MaxWriteAttempts"/> attempts).
    /// </summary>
    private async Task<RedisResult[]> EvaluateUnderEpochAsync(
        string script, string model, Func<IDatabase, Task<RedisValue[]>> arguments, CancellationToken cancellationToken)
    {
        IDatabase db = _redis.GetDatabase();
        RedisKey[] keys = [_content.ItemKey(model), _content.ModelsKey, _content.Epoch.Key, AuditKey(model)];
        StoreResult<RedisResult[]> evaluated = await CompareAndSwapRetry.RunAsync<RedisResult[]>(MaxWriteAttempts, async _ =>
        {
            if (_content.Epoch.Current is null)
            {
                await _content.RestoreAsync().ConfigureAwait(false);
            }

            RedisValue[] values = await arguments(db).ConfigureAwait(false);
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(script, keys, [.. values, _content.Epoch.Current]).ConfigureAwait(false))!;
            switch ((int)result[0])
            {
                case -1:
                    await _content.RestoreAsync().ConfigureAwait(false);
                    return new StoreError(StoreErrorCode.Conflict, "epoch marker");
                case -2:
                    return new StoreError(StoreErrorCode.Conflict, "audit trail");
                default:
                    return result;
            }
        }, cancellationToken).ConfigureAwait(false);
        return evaluated.IsSuccess
            ? evaluated.Value
            : throw new InvalidDataException($"the rollout store kept changing under a write of '{model}' ({evaluated.Error.Message}); retry");
    }

    private static bool IsValidModel(string? model) => model is not null && RolloutPolicyValidator.IsValidModelName(model);

    private static long ParseRevision(RedisResult value) =>
        long.Parse((string)value!, NumberStyles.None, CultureInfo.InvariantCulture);

    private RedisKey PolicyKey(string model) => _content.ItemKey(model);

    private RedisKey AuditKey(string model) => RedisAuditTrail.Key(_auditPrefix, model);

    private RolloutPolicy? Deserialize(string model, RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize((string)value!, RolloutJsonContext.Default.RolloutPolicy)
                ?? throw new InvalidDataException($"rollout policy {PolicyKey(model)} is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"rollout policy {PolicyKey(model)} is corrupt: {ex.Message}", ex);
        }
    }

    private void OnChanged(string model)
    {
        if (IsValidModel(model))
        {
            _known.TryAdd(model, 0);
            _changes.Publish(model);
        }
    }

    private void OnResubscribed() => _ = ResyncAsync();

    private async Task ResyncAsync()
    {
        try
        {
            LogResynced(await _content.ResyncAsync(_known.Keys, _changes.Publish).ConfigureAwait(false));
        }
        catch (RedisException ex)
        {
            LogResyncFailed(ex);
        }
    }
}
