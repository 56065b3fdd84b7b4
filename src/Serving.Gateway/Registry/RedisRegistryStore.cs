using System.Globalization;
using System.Text.Json;
using Serving.Core.Registry;
using StackExchange.Redis;

namespace Serving.Gateway.Registry;

/// <summary>
/// The registry shared by gateway replicas through Redis.
/// </summary>
/// <remarks>
/// Keys, under a prefix (default <c>serving:registry</c>):
/// <list type="bullet">
/// <item><c>{prefix}:model:{name}</c>: a hash with <c>rev</c> (the revision) and <c>state</c> (the model state as JSON);</item>
/// <item><c>{prefix}:audit:{name}</c>: a list of audit entries as JSON, oldest first;</item>
/// <item><c>{prefix}:models</c>: the set of model names;</item>
/// <item>channel <c>{prefix}:changed</c>: the model name is published after every committed change.</item>
/// </list>
/// A commit is one Lua script: compare the stored revision with the one the rule read, and only if
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

    private const string CommitScript = """
        local rev = redis.call('HGET', KEYS[1], 'rev')
        if (rev or '0') ~= ARGV[1] then
          return 0
        end
        redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'state', ARGV[3])
        redis.call('SADD', KEYS[2], ARGV[4])
        for i = 6, #ARGV do
          redis.call('RPUSH', KEYS[3], ARGV[i])
        end
        redis.call('PUBLISH', ARGV[5], ARGV[4])
        return 1
        """;

    private static readonly RedisValue StateField = "state";

    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly RedisKey _modelsKey;
    private readonly RedisChannel _channel;
    private readonly ILogger<RedisRegistryStore> _logger;

    /// <summary>
    /// Creates the store and subscribes to the change channel before returning, so a
    /// <see cref="IRegistryStore.WatchAsync"/> started afterwards misses nothing. The caller owns
    /// <paramref name="redis"/>.
    /// </summary>
    public RedisRegistryStore(
        IConnectionMultiplexer redis, string keyPrefix, RegistryOptions options, TimeProvider timeProvider, ILogger<RedisRegistryStore> logger)
        : base(options, timeProvider, logger)
    {
        _redis = redis;
        _prefix = keyPrefix;
        _modelsKey = keyPrefix + ":models";
        _channel = RedisChannel.Literal(keyPrefix + ":changed");
        _logger = logger;
        _redis.GetSubscriber().Subscribe(_channel, OnChanged);
        _redis.ConnectionRestored += OnConnectionRestored;
        LogOpened(keyPrefix, _channel.ToString());
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<ModelState>> ListAsync(CancellationToken cancellationToken = default)
    {
        var db = _redis.GetDatabase();
        var names = await db.SetMembersAsync(_modelsKey).ConfigureAwait(false);
        var sorted = new string[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            sorted[i] = names[i].ToString();
        }

        Array.Sort(sorted, StringComparer.Ordinal);
        var reads = new Task<RedisValue>[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            reads[i] = db.HashGetAsync(ModelKey(sorted[i]), StateField);
        }

        var models = new List<ModelState>(sorted.Length);
        foreach (var read in reads)
        {
            if (Deserialize(await read.ConfigureAwait(false)) is { } state)
            {
                models.Add(state);
            }
        }

        return models;
    }

    /// <inheritdoc />
    public override async Task<ModelState?> GetAsync(string model, CancellationToken cancellationToken = default)
    {
        if (!ModelNames.IsValidModel(model))
        {
            return null;
        }

        var value = await _redis.GetDatabase().HashGetAsync(ModelKey(model), StateField).ConfigureAwait(false);
        return Deserialize(value);
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string model, CancellationToken cancellationToken = default)
    {
        if (!ModelNames.IsValidModel(model))
        {
            return [];
        }

        var values = await _redis.GetDatabase().ListRangeAsync(AuditKey(model)).ConfigureAwait(false);
        var entries = new AuditEntry[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            entries[i] = JsonSerializer.Deserialize((string)values[i]!, RegistryJsonContext.Default.AuditEntry)
                ?? throw new InvalidDataException($"empty audit entry in {AuditKey(model)}");
        }

        return entries;
    }

    /// <inheritdoc />
    protected override async Task<bool> TryCommitAsync(string model, long expectedRevision, StateChange change, CancellationToken cancellationToken)
    {
        var arguments = new RedisValue[5 + change.Audit.Length];
        arguments[0] = expectedRevision.ToString(CultureInfo.InvariantCulture);
        arguments[1] = change.State.Revision.ToString(CultureInfo.InvariantCulture);
        arguments[2] = JsonSerializer.Serialize(change.State, RegistryJsonContext.Default.ModelState);
        arguments[3] = model;
        arguments[4] = _channel.ToString();
        for (var i = 0; i < change.Audit.Length; i++)
        {
            arguments[5 + i] = JsonSerializer.Serialize(change.Audit[i], RegistryJsonContext.Default.AuditEntry);
        }

        var result = await _redis.GetDatabase()
            .ScriptEvaluateAsync(CommitScript, [ModelKey(model), _modelsKey, AuditKey(model)], arguments)
            .ConfigureAwait(false);
        var committed = (int)result == 1;
        if (committed)
        {
            LogCommitted(model, change.State.Revision);
        }

        return committed;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _redis.ConnectionRestored -= OnConnectionRestored;
            _redis.GetSubscriber().Unsubscribe(_channel, OnChanged);
        }

        base.Dispose(disposing);
    }

    private RedisKey ModelKey(string model) => $"{_prefix}:model:{model}";

    private RedisKey AuditKey(string model) => $"{_prefix}:audit:{model}";

    private static ModelState? Deserialize(RedisValue value) =>
        value.IsNull ? null : JsonSerializer.Deserialize((string)value!, RegistryJsonContext.Default.ModelState);

    private void OnChanged(RedisChannel channel, RedisValue message)
    {
        var model = message.ToString();
        if (ModelNames.IsValidModel(model))
        {
            NotifyChanged(model);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _ = ResyncAsync();
        }
    }

    private async Task ResyncAsync()
    {
        try
        {
            foreach (var name in await _redis.GetDatabase().SetMembersAsync(_modelsKey).ConfigureAwait(false))
            {
                NotifyChanged(name.ToString());
            }

            LogResynced();
        }
        catch (RedisException ex)
        {
            LogResyncFailed(ex);
        }
    }
}
