using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Serving.Core.Storage;

/// <summary>
/// The in-process fan-out behind every store's change feed (registry and rollouts): every subscriber
/// gets every model name published after it subscribed. Stores publish after a commit (the Redis stores
/// also after a pub/sub message from another replica).
/// </summary>
internal sealed class ChangeFanOut : IDisposable
{
    private readonly Lock _lock = new();
    private ImmutableArray<Channel<string>> _subscribers = [];
    private bool _disposed;

    /// <summary>Yields changed model names until cancelled or disposed.</summary>
    public async IAsyncEnumerable<string> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Unbounded: store changes are rare (operator actions, plan steps), and a dropped name would leave a
        // replica serving or routing by a stale state.
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
