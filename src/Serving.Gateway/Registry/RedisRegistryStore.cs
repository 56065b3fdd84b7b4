using System.Globalization;
using System.Text.Json;
using Serving.Core.Registry;
using Serving.Core.Repository;
using Serving.Core.Storage;
using Serving.Gateway.Storage;
using StackExchange.Redis;

namespace Serving.Gateway.Registry;

/// <summary>
/// The registry shared by gateway replicas through Redis.
/// </summary>
/// <remarks>
/// Keys, under a prefix (default <c>serving:registry</c>):
/// <list type="bullet">
/// <item><c>{prefix}:model:{name}</c>: a hash with <c>rev</c> (the revision) and <c>state</c> (the model state as JSON);</item>
/// <item><c>{prefix}:audit:{name}</c>: the model's audit trail (<see cref="RedisAuditTrail"/>), registry and rollout changes;</item>
/// <item><c>{prefix}:models</c>: the set of model names;</item>
/// <item><c>{prefix}:epoch</c>: the generation marker (see <see cref="RedisEpoch"/>);</item>
/// <item>channel <c>{prefix}:changed</c>: the model name is published after every committed change.</item>
/// </list>
/// A commit is one Lua script: check the epoch marker, compare the stored revision with the one the rule read, and only if
/// equal write the state, append the audit entries, add the name to the set and publish, atomically;
/// so two replicas can never both promote from the same state. The change feed listens to the channel,
/// so it reports changes from every replica (this one included) as soon as Redis delivers them, and
/// after a lost subscription connection comes back it reports every model once, because messages
/// published while it was away are not replayed.
/// </remarks>
internal sealed partial class RedisRegistryStore : RegistryStoreBase
{
    /// <summary>The default key prefix.</summary>
    public const string DefaultKeyPrefix = "serving:registry";

    // Returns 1 when committed, 0 on a revision mismatch, -1 when the epoch marker is not the one this
    // replica read the store under (the store lost its data or was restored meanwhile), -2 when the audit
    // trail's head moved since the entries were chained to it.
    private const string CommitScript = RedisAuditTrail.Functions + """
        if (redis.call('GET', KEYS[4]) or '') ~= ARGV[6] then
          return -1
        end
        local rev = redis.call('HGET', KEYS[1], 'rev')
        if (rev or '0') ~= ARGV[1] then
          return 0
        end
        if audit_head(KEYS[3]) ~= ARGV[7] then
          return -2
        end
        redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'state', ARGV[3])
        redis.call('SADD', KEYS[2], ARGV[4])
        for i = 8, #ARGV do
          audit_append(KEYS[3], ARGV[i])
        end
        redis.call('PUBLISH', ARGV[5], ARGV[4])
        return 1
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly RedisStoreContent<ModelState> _content;
    private readonly RedisChangeChannel _changes;
    private readonly ILogger<RedisRegistryStore> _logger;

    /// <summary>
    /// Creates the store and subscribes to the change channel before returning, so a
    /// <see cref="IRegistryStore.WatchAsync"/> started afterwards misses nothing. Nothing here needs Redis
    /// to be up. The caller owns <paramref name="redis"/>; <paramref name="snapshot"/> is this replica's
    /// last known registry, kept current by every verified <see cref="ListAsync"/>.
    /// </summary>
    public RedisRegistryStore(
        IConnectionMultiplexer redis, string keyPrefix, RegistryOptions options, StoreSnapshot<ModelState> snapshot,
        TimeProvider timeProvider, ILogger<RedisRegistryStore> logger)
        : base(options, timeProvider, logger)
    {
        _redis = redis;
        _prefix = keyPrefix;
        _logger = logger;
        _content = new RedisStoreContent<ModelState>(
            redis, keyPrefix, "registry", "model", "state", RedisAuditTrail.Key(keyPrefix, string.Empty).ToString(), snapshot,
            new StoredItemFormat<ModelState>(static state => state.Name, static (_, value) => Deserialize(value), Restored),
            timeProvider, logger);
        _changes = new RedisChangeChannel(redis, keyPrefix, OnChanged, OnResubscribed, logger);
        LogOpened(keyPrefix, _changes.Channel.ToString());
    }

    /// <summary>
    /// Every model, read under the store's epoch marker: a read is returned (and remembered in the
    /// snapshot) only if the marker is still the one this replica knows. A store that lost its data is
    /// restored from the snapshot first (see <see cref="RedisEpoch"/>), so a replica never sees the
    /// registry empty because Redis came back empty.
    /// </summary>
    public override async Task<IReadOnlyList<ModelState>> ListAsync(CancellationToken cancellationToken = default) =>
        await _content.ListAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override async Task<ModelState?> GetAsync(string model, CancellationToken cancellationToken = default)
    {
        if (!ModelNames.IsValidModel(model))
        {
            return null;
        }

        return await _content.GetAsync(model).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string model, CancellationToken cancellationToken = default)
    {
        if (!ModelNames.IsValidModel(model))
        {
            return [];
        }

        return await RedisAuditTrail.ReadAsync(_redis.GetDatabase(), AuditKey(model)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task<AuditVerification> VerifyAuditAsync(string model, CancellationToken cancellationToken = default) =>
        ModelNames.IsValidModel(model)
            ? RedisAuditTrail.VerifyAsync(_redis.GetDatabase(), AuditKey(model))
            : Task.FromResult(AuditVerification.Ok(0));

    /// <inheritdoc />
    protected override async Task<bool> TryCommitAsync(string model, long expectedRevision, StateChange change, CancellationToken cancellationToken)
    {
        if (_content.Epoch.Current is null)
        {
            await _content.RestoreAsync().ConfigureAwait(false);
        }

        var db = _redis.GetDatabase();
        var (head, entries) = await RedisAuditTrail.LinkAsync(db, AuditKey(model), change.Audit).ConfigureAwait(false);
        var arguments = new RedisValue[7 + entries.Length];
        arguments[0] = expectedRevision.ToString(CultureInfo.InvariantCulture);
        arguments[1] = change.State.Revision.ToString(CultureInfo.InvariantCulture);
        arguments[2] = JsonSerializer.Serialize(change.State, RegistryJsonContext.Default.ModelState);
        arguments[3] = model;
        arguments[4] = _changes.Channel.ToString();
        arguments[5] = _content.Epoch.Current;
        arguments[6] = head;
        entries.CopyTo(arguments, 7);

        var result = (int)await db
            .ScriptEvaluateAsync(CommitScript, [_content.ItemKey(model), _content.ModelsKey, AuditKey(model), _content.Epoch.Key], arguments)
            .ConfigureAwait(false);
        if (result == -1)
        {
            // The store lost its data (or another replica restored it): restore or adopt, then the
            // caller re-reads and retries.
            await _content.RestoreAsync().ConfigureAwait(false);
        }
        else if (result == 1)
        {
            LogCommitted(model, change.State.Revision);
        }

        return result == 1;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _changes.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>A model's state written back by a restore, with a Restore audit entry.</summary>
    private static RestoredItem Restored(ModelState state, DateTimeOffset now)
    {
        var entry = new AuditEntry
        {
            Model = state.Name,
            Revision = state.Revision,
            Timestamp = now,
            Actor = "replica " + RedisEpoch.ReplicaId,
            Action = AuditAction.Restore,
            Reason = string.Create(CultureInfo.InvariantCulture,
                $"store lost its data; restored from replica {RedisEpoch.ReplicaId}'s last known state (revision {state.Revision})"),
        };
        return new RestoredItem(state.Name, state.Revision, JsonSerializer.Serialize(state, RegistryJsonContext.Default.ModelState), entry);
    }

    private RedisKey AuditKey(string model) => RedisAuditTrail.Key(_prefix, model);

    private static ModelState? Deserialize(RedisValue value) =>
        value.IsNull ? null : JsonSerializer.Deserialize((string)value!, RegistryJsonContext.Default.ModelState);

    private void OnChanged(string model)
    {
        if (ModelNames.IsValidModel(model))
        {
            NotifyChanged(model);
        }
    }

    private void OnResubscribed() => _ = ResyncAsync();

    /// <summary>
    /// Reports every model once: those in Redis and those in the snapshot (a Redis that came back empty
    /// has none, and the re-read it triggers is what finds it empty and restores it).
    /// </summary>
    private async Task ResyncAsync()
    {
        try
        {
            await _content.ResyncAsync([], NotifyChanged).ConfigureAwait(false);
            LogResynced();
        }
        catch (RedisException ex)
        {
            LogResyncFailed(ex);
        }
    }
}
