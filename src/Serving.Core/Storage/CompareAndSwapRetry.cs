namespace Serving.Core.Storage;

/// <summary>
/// The one retry loop of the stores' read-modify-write operations (registry mutations, rollout admin
/// writes): run an attempt (read, decide, compare-and-swap) and, while it fails with
/// <see cref="StoreErrorCode.Conflict"/> (another writer got there first), back off briefly and run it
/// again on what is stored now, up to a bounded number of attempts.
/// </summary>
internal static class CompareAndSwapRetry
{
    /// <summary>
    /// Runs <paramref name="attempt"/> (given its 1-based number) until it succeeds, fails with anything
    /// but a conflict, or <paramref name="maxAttempts"/> attempts have conflicted; returns the last result.
    /// </summary>
    public static async Task<StoreResult<T>> RunAsync<T>(
        int maxAttempts, Func<int, Task<StoreResult<T>>> attempt, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentNullException.ThrowIfNull(attempt);
        for (var number = 1; ; number++)
        {
            var result = await attempt(number).ConfigureAwait(false);
            if (result.IsSuccess || result.Error.Code != StoreErrorCode.Conflict || number == maxAttempts)
            {
                return result;
            }

            // Jittered back-off in real time (not the injected clock): it spaces out retries of writers
            // that collided, it is not a business timestamp.
            await Task.Delay(Random.Shared.Next(1, 4 * number), cancellationToken).ConfigureAwait(false);
        }
    }
}
