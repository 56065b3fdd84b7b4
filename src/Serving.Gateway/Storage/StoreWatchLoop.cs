namespace Serving.Gateway.Storage;

/// <summary>
/// Follows a store's <c>WatchAsync</c> (registry, rollouts) for as long as the host runs, subscribing again
/// after a failure. Not a change feed itself: the stores publish their changes (<c>ChangeFanOut</c>, Redis
/// pub/sub) and this loop keeps a subscriber on them.
/// </summary>
internal static class StoreWatchLoop
{
    private static readonly TimeSpan Resubscribe = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Calls <paramref name="onChange"/> for every change <paramref name="watch"/> reports. A feed that
    /// fails (Redis gone) is reported to <paramref name="onFailure"/> and subscribed to again a second
    /// later; the callers' periodic resync covers what was missed meanwhile.
    /// </summary>
    public static async Task FollowAsync(
        Func<CancellationToken, IAsyncEnumerable<string>> watch, Action onChange, Action<string> onFailure, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var _ in watch(stoppingToken).ConfigureAwait(false))
                {
                    onChange();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                onFailure(ex.Message);
            }
            try
            {
                await Task.Delay(Resubscribe, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
