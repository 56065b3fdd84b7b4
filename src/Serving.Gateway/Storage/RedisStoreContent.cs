using Serving.Core.Storage;
using StackExchange.Redis;

namespace Serving.Gateway.Storage;

/// <summary>
/// What a Redis store (registry, rollouts) holds, kept the same way by both: the set <c>{prefix}:models</c>
/// of model names and, per model, a hash at <c>{item key prefix}{model}</c> with <c>rev</c> and one JSON
/// field. The one home of the reads under the store's <see cref="RedisEpoch"/>, the restore from the
/// replica's <see cref="StoreSnapshot{T}"/>, and the resync that reports every model once after a lost
/// subscription comes back.
/// </summary>
/// <typeparam name="T">A model state or a rollout policy.</typeparam>
internal sealed class RedisStoreContent<T>
    where T : class
{
    private readonly IConnectionMultiplexer _redis;
    private readonly string _itemKeyPrefix;
    private readonly RedisValue _field;
    private readonly string _auditKeyPrefix;
    private readonly RedisChannel _channel;
    private readonly StoreSnapshot<T> _snapshot;
    private readonly StoredItemFormat<T> _format;
    private readonly TimeProvider _timeProvider;

    /// <summary>Describes the content of the store under <paramref name="keyPrefix"/>; nothing here needs Redis to be up.</summary>
    /// <param name="redis">The connection (its owner disposes it).</param>
    /// <param name="keyPrefix">The store's key and channel prefix.</param>
    /// <param name="store">The store's name in logs, metrics and errors (<c>registry</c>, <c>rollouts</c>).</param>
    /// <param name="itemKind">The middle part of an item's key: <c>{prefix}:{itemKind}:{model}</c>.</param>
    /// <param name="field">The hash field that holds the item's JSON.</param>
    /// <param name="auditKeyPrefix">The key prefix of the models' audit trails, where a restore records itself.</param>
    /// <param name="snapshot">This replica's last known content, kept current by every verified <see cref="ListAsync"/>.</param>
    /// <param name="format">How an item is named, read and restored.</param>
    /// <param name="timeProvider">The clock of restore audit entries.</param>
    /// <param name="logger">The logger of the epoch marker.</param>
    public RedisStoreContent(
        IConnectionMultiplexer redis, string keyPrefix, string store, string itemKind, string field, string auditKeyPrefix,
        StoreSnapshot<T> snapshot, StoredItemFormat<T> format, TimeProvider timeProvider, ILogger logger)
    {
        _redis = redis;
        _itemKeyPrefix = $"{keyPrefix}:{itemKind}:";
        _field = field;
        _auditKeyPrefix = auditKeyPrefix;
        _channel = RedisChangeChannel.ChannelOf(keyPrefix);
        _snapshot = snapshot;
        _format = format;
        _timeProvider = timeProvider;
        ModelsKey = keyPrefix + ":models";
        Epoch = new RedisEpoch(redis, keyPrefix, store, snapshot.Epoch, logger);
    }

    /// <summary>The set of model names.</summary>
    public RedisKey ModelsKey { get; }

    /// <summary>The store's generation marker; a write script checks it.</summary>
    public RedisEpoch Epoch { get; }

    /// <summary>The hash of <paramref name="model"/>.</summary>
    public RedisKey ItemKey(string model) => _itemKeyPrefix + model;

    /// <summary>
    /// Every item, ordered by model name, read under the epoch marker: a read is returned (and remembered
    /// in the snapshot) only if the marker is still the one this replica knows; a store that lost its data
    /// is restored from the snapshot first, so a replica never sees its content vanish because Redis came
    /// back empty.
    /// </summary>
    public Task<List<T>> ListAsync(CancellationToken cancellationToken) =>
        Epoch.ReadAsync(ReadAllAsync, _snapshot, RestoreAsync, cancellationToken);

    /// <summary>
    /// The item of <paramref name="model"/>, or null. Missing because the store lost its data? Then the
    /// store is restored before answering (a write would otherwise fail, or start from nothing).
    /// </summary>
    public async Task<T?> GetAsync(string model)
    {
        var value = await Epoch.ReachableAsync(_redis.GetDatabase().HashGetAsync(ItemKey(model), _field)).ConfigureAwait(false);
        if (value.IsNull && !await Epoch.IsCurrentAsync().ConfigureAwait(false))
        {
            await RestoreAsync().ConfigureAwait(false);
            value = await _redis.GetDatabase().HashGetAsync(ItemKey(model), _field).ConfigureAwait(false);
        }

        return _format.Read(model, value);
    }

    /// <summary>The item of <paramref name="model"/> as <paramref name="db"/> holds it now, or null (no epoch check: a write script makes that).</summary>
    public async Task<T?> ReadAsync(IDatabase db, string model) =>
        _format.Read(model, await db.HashGetAsync(ItemKey(model), _field).ConfigureAwait(false));

    /// <summary>
    /// Sets the epoch marker, writing the snapshot back when the store is empty, each item with its
    /// restore entry in the model's audit trail (see <see cref="RedisEpoch.RestoreAsync"/>).
    /// </summary>
    public Task<bool> RestoreAsync()
    {
        var known = _snapshot.Items;
        var now = _timeProvider.GetUtcNow();
        var items = new List<RestoredItem>(known.Length);
        foreach (var item in known)
        {
            items.Add(_format.Restored(item, now));
        }

        return Epoch.RestoreAsync(ModelsKey, _channel, (string)_field!, _itemKeyPrefix, _auditKeyPrefix, items);
    }

    /// <summary>
    /// Reports every model once to <paramref name="publish"/>: those in Redis, those in the snapshot (a
    /// Redis that came back empty has none, and the re-read it triggers is what finds it empty and restores
    /// it) and <paramref name="alsoKnown"/>. Returns how many; a Redis error is for the caller to log.
    /// </summary>
    public async Task<int> ResyncAsync(IEnumerable<string> alsoKnown, Action<string> publish)
    {
        var models = new SortedSet<string>(alsoKnown, StringComparer.Ordinal);
        foreach (var item in _snapshot.Items)
        {
            models.Add(_format.NameOf(item));
        }

        foreach (var name in await _redis.GetDatabase().SetMembersAsync(ModelsKey).ConfigureAwait(false))
        {
            models.Add(name.ToString());
        }

        foreach (var model in models)
        {
            publish(model);
        }

        return models.Count;
    }

    private async Task<List<T>> ReadAllAsync()
    {
        var db = _redis.GetDatabase();
        var names = await db.SetMembersAsync(ModelsKey).ConfigureAwait(false);
        var sorted = new string[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            sorted[i] = names[i].ToString();
        }

        Array.Sort(sorted, StringComparer.Ordinal);
        var reads = new Task<RedisValue>[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            reads[i] = db.HashGetAsync(ItemKey(sorted[i]), _field);
        }

        var items = new List<T>(sorted.Length);
        for (var i = 0; i < sorted.Length; i++)
        {
            if (_format.Read(sorted[i], await reads[i].ConfigureAwait(false)) is { } item)
            {
                items.Add(item);
            }
        }

        return items;
    }
}
