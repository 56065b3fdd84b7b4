using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Serving.Core.Rollouts;

/// <summary>
/// The in-process fan-out behind <see cref="IRolloutStore.WatchAsync"/>: every subscriber gets every
/// model name published after it subscribed. Stores publish after a commit (the Redis store also after a
/// pub/sub message from another replica).
/// </summary>
internal sealed class RolloutChangeFeed : IDisposable
{
    private readonly Lock _lock = new();
    private ImmutableArray<Channel<string>> _subscribers = [];
    private bool _disposed;

    /// <summary>Yields changed model names until cancelled or disposed.</summary>
    public async IAsyncEnumerable<string> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Unbounded: policy changes are rare, and a dropped name would leave a replica routing by a stale policy.
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            if (_disposed)
            {
                yield break;
            }

            _subscribers = _subscribers.Add(channel);
        }

        try
        {
            await foreach (string model in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return model;
            }
        }
        finally
        {
            lock (_lock)
            {
                _subscribers = _subscribers.Remove(channel);
            }
        }
    }

    /// <summary>Tells every subscriber that <paramref name="model"/> changed.</summary>
    public void Publish(string model)
    {
        ImmutableArray<Channel<string>> subscribers = _subscribers;
        foreach (Channel<string> subscriber in subscribers)
        {
            subscriber.Writer.TryWrite(model);
        }
    }

    /// <summary>Ends every subscription.</summary>
    public void Dispose()
    {
        ImmutableArray<Channel<string>> subscribers;
        lock (_lock)
        {
            _disposed = true;
            subscribers = _subscribers;
            _subscribers = [];
        }

        foreach (Channel<string> subscriber in subscribers)
        {
            subscriber.Writer.TryComplete();
        }
    }
}
