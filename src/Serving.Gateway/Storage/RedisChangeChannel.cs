using StackExchange.Redis;

namespace Serving.Gateway.Storage;

/// <summary>
/// The pub/sub side of a Redis store (registry, rollouts): channel <c>{prefix}:changed</c>, on which a
/// commit publishes the model name. Subscribing never fails: while Redis is down the multiplexer keeps
/// the subscription and makes it when it connects. Messages published while the subscription connection
/// was down are not replayed, so when it comes back <c>onRestored</c> runs (the store then reports every
/// model it knows of as changed).
/// </summary>
internal sealed partial class RedisChangeChannel : IDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly Action<string> _onChanged;
    private readonly Action _onRestored;
    private readonly ILogger _logger;

    /// <summary>Subscribes before returning, so a change feed started afterwards misses nothing that Redis delivers.</summary>
    public RedisChangeChannel(IConnectionMultiplexer redis, string keyPrefix, Action<string> onChanged, Action onRestored, ILogger logger)
    {
        _redis = redis;
        _onChanged = onChanged;
        _onRestored = onRestored;
        _logger = logger;
        Channel = ChannelOf(keyPrefix);
        try
        {
            _redis.GetSubscriber().Subscribe(Channel, OnMessage);
        }
        catch (RedisException ex)
        {
            LogSubscribeDeferred(Channel.ToString(), ex.Message);
        }

        _redis.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>The channel (commits publish to it inside their script).</summary>
    public RedisChannel Channel { get; }

    /// <summary>The change channel of the store under <paramref name="keyPrefix"/>.</summary>
    public static RedisChannel ChannelOf(string keyPrefix) => RedisChannel.Literal(keyPrefix + ":changed");

    /// <summary>Unsubscribes; the connection stays open (its owner disposes it).</summary>
    public void Dispose()
    {
        _redis.ConnectionRestored -= OnConnectionRestored;
        try
        {
            _redis.GetSubscriber().Unsubscribe(Channel, OnMessage);
        }
        catch (RedisException)
        {
            // Nothing to unsubscribe from while disconnected; the handler goes with this object.
        }
    }

    private void OnMessage(RedisChannel channel, RedisValue message) => _onChanged(message.ToString());

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _onRestored();
        }
    }

    [LoggerMessage(EventId = 1140, Level = LogLevel.Warning, Message = "Redis is unreachable; the subscription to {Channel} is made when it connects: {Reason}")]
    private partial void LogSubscribeDeferred(string channel, string reason);
}
