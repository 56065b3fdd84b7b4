namespace Serving.Gateway.Batching;

/// <summary>
/// Requests waiting, unread, for room in a version's full queue (<c>Serving:Limits:AdmissionWait</c>).
/// Holding a request costs its connection and nothing else, where refusing it makes a closed-loop client
/// send it again at once; so under overload the model keeps working through the waiting requests instead of
/// the server spending its CPU receiving and refusing the same requests over and over. The batcher calls
/// <see cref="RoomMade"/> whenever it takes items out of the queue; each wakes at most one waiter, which
/// checks for room again (a new arrival may have taken it) and waits on for what is left of its time.
/// </summary>
internal sealed class AdmissionWaitList
{
    private readonly SemaphoreSlim _room = new(0);
    private int _waiting;

    /// <summary>Requests waiting now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Waits until <paramref name="hasRoom"/> says yes, for at most <paramref name="wait"/>: true when it did
    /// (the caller goes on to read the request), false when the time ran out or <paramref name="maxWaiting"/>
    /// requests were waiting already (the caller refuses). Throws when <paramref name="aborted"/> is cancelled.
    /// </summary>
    public async ValueTask<bool> WaitAsync(Func<bool> hasRoom, int maxWaiting, TimeSpan wait, CancellationToken aborted)
    {
        if (Interlocked.Increment(ref _waiting) > maxWaiting)
        {
            Interlocked.Decrement(ref _waiting);
            return false;
        }
        try
        {
            var deadline = Environment.TickCount64 + (long)wait.TotalMilliseconds;
            // Counted as waiting before looking: room made after the look wakes this request.
            while (!hasRoom())
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0 || !await _room.WaitAsync(TimeSpan.FromMilliseconds(left), aborted))
                {
                    return false;
                }
            }
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>The batcher took <paramref name="freed"/> items out of the queue: wake as many waiters, at most.</summary>
    public void RoomMade(int freed)
    {
        var wake = Math.Min(freed, Volatile.Read(ref _waiting) - _room.CurrentCount);
        if (wake > 0)
        {
            _room.Release(wake);
        }
    }
}
