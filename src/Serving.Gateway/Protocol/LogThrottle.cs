namespace Serving.Gateway.Protocol;

/// <summary>
/// Lets one log line through per interval and counts the ones it holds back, so a client that sends
/// the same bad request in a loop costs the log one line a second, not one per request. Lock-free.
/// </summary>
internal sealed class LogThrottle(TimeProvider time, TimeSpan interval)
{
    private readonly long _intervalTicks = (long)(interval.TotalSeconds * time.TimestampFrequency);
    private long _next = long.MinValue;
    private int _held;

    /// <summary>True when a line may be written now; <paramref name="held"/> is how many were held back since the last.</summary>
    public bool TryEnter(out int held)
    {
        var now = time.GetTimestamp();
        var next = Volatile.Read(ref _next);
        if (now < next || Interlocked.CompareExchange(ref _next, now + _intervalTicks, next) != next)
        {
            Interlocked.Increment(ref _held);
            held = 0;
            return false;
        }
        held = Interlocked.Exchange(ref _held, 0);
        return true;
    }
}
