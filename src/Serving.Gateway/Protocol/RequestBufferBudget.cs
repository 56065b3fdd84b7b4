using Microsoft.Extensions.Options;
using Prometheus;

namespace Serving.Gateway.Protocol;

/// <summary>
/// The bytes of request bodies held in memory across every connection, against a fixed capacity
/// (<see cref="RequestLimits.RequestBufferBytes"/>). Reservations are lock-free; a body is reserved
/// before it is buffered and released once it has been parsed into its tensors.
/// </summary>
internal sealed class RequestBufferBudget
{
    private static readonly Gauge Reserved = Prometheus.Metrics.CreateGauge(
        "serving_request_buffer_bytes", "Bytes of request bodies reserved in the buffer budget now.");

    private static readonly Gauge CapacityGauge = Prometheus.Metrics.CreateGauge(
        "serving_request_buffer_capacity_bytes", "The request buffer budget (Serving:Limits:RequestBufferBytes).");

    private long _available;

    public RequestBufferBudget(IOptions<ProtocolOptions> options)
    {
        var serving = options.Value;
        Capacity = serving.Limits.EffectiveRequestBufferBytes(serving.MaxRequestBodyBytes, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        _available = Capacity;
        CapacityGauge.Set(Capacity);
    }

    /// <summary>The most bytes that may be reserved at once.</summary>
    public long Capacity { get; }

    /// <summary>Bytes reserved now.</summary>
    public long InUse => Capacity - Volatile.Read(ref _available);

    /// <summary>Reserves <paramref name="bytes"/>; false, reserving nothing, when they do not fit.</summary>
    public bool TryReserve(long bytes)
    {
        if (bytes <= 0)
        {
            return true;
        }
        if (Interlocked.Add(ref _available, -bytes) < 0)
        {
            Interlocked.Add(ref _available, bytes);
            return false;
        }
        Reserved.Inc(bytes);
        return true;
    }

    /// <summary>Gives back bytes that <see cref="TryReserve"/> reserved.</summary>
    public void Release(long bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _available, bytes);
            Reserved.Dec(bytes);
        }
    }
}
