using Microsoft.Extensions.Options;
using Serving.Gateway.Protocol;

namespace Serving.Gateway.Hosting;

/// <summary>
/// Returns the memory of a burst to the operating system once the burst is over. Blocks that
/// <see cref="BoundedBlockPool"/> lets go, and request buffers, live in the pinned and large object heaps,
/// which only a full collection frees; an idle server runs none, so what a memory-hold attack made the
/// process take stayed resident. Every <see cref="RequestLimits.TrimCheckInterval"/> this looks at how much
/// the pools let go: when at least <see cref="RequestLimits.PooledBufferBytes"/> went since the last trim
/// and none in the last interval (the burst is over), it runs one aggressive full collection, which
/// decommits what is free. At most one such collection per interval; none while the burst goes on.
/// </summary>
internal sealed partial class MemoryTrimService(BoundedBlockPoolFactory pools, IOptions<ProtocolOptions> options, ILogger<MemoryTrimService> logger) : BackgroundService
{
    private long _trimmedAt;
    private long _lastSeen;
    private int _trims;

    /// <summary>Collections this service ran (for tests and diagnostics).</summary>
    public int Trims => Volatile.Read(ref _trims);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var limits = options.Value.Limits;
        if (limits.TrimCheckInterval <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(limits.TrimCheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Check(Math.Max(limits.PooledBufferBytes, 1 << 20));
        }
    }

    private void Check(long threshold)
    {
        var released = pools.ReleasedBytes();
        var quiet = released == _lastSeen;
        _lastSeen = released;
        if (!quiet || released - _trimmedAt < threshold)
        {
            return;
        }
        var before = Environment.WorkingSet;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Interlocked.Increment(ref _trims);
        LogTrimmed(logger, (released - _trimmedAt) >> 20, before >> 20, Environment.WorkingSet >> 20);
        _trimmedAt = released;
    }

    [LoggerMessage(1143, LogLevel.Information, "A burst of request buffers is over ({Released} MiB let go by the connection buffer pool): returned memory to the operating system, resident {Before} MiB -> {After} MiB")]
    private static partial void LogTrimmed(ILogger logger, long released, long before, long after);
}
