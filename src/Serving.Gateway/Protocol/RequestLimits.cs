namespace Serving.Gateway.Protocol;

/// <summary>
/// Limits that keep hostile or broken clients from holding the gateway's memory (<c>Serving:Limits</c>).
/// docs/limits.md explains each, with the measurements behind the defaults.
/// </summary>
public sealed class RequestLimits
{
    /// <summary>
    /// Most bytes of inference request bodies held in memory at once, across every connection. A body
    /// is counted before it is read (its Content-Length, or as a chunked body arrives); one that does not
    /// fit gets 503 with Retry-After and the connection is closed. 0 (the default): an eighth of the memory
    /// the process may use, between 64 MiB and 2 GiB, and never less than <see cref="ProtocolOptions.MaxRequestBodyBytes"/>.
    /// </summary>
    public long RequestBufferBytes { get; set; }

    /// <summary>
    /// Slowest average rate, in bytes a second, at which an inference body may arrive, measured against
    /// its declared length (or the body limit, for a chunked body) from the first read: a body must be
    /// complete within <see cref="BodyGracePeriod"/> plus its length over this rate, so a client that sends
    /// most of a body fast and then trickles cannot hold its share of the buffer budget. Default 256 KiB/s.
    /// </summary>
    public long MinBodyBytesPerSecond { get; set; } = 256 * 1024;

    /// <summary>Time every body gets on top of its length over <see cref="MinBodyBytesPerSecond"/>. Default 5 s.</summary>
    public TimeSpan BodyGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A refused request (queue full, budget spent) whose unread body is larger than this closes its
    /// connection instead of having Kestrel receive and discard the body: reconnecting costs less than
    /// receiving a body that will not be used. Default 16 KiB.
    /// </summary>
    public long DrainBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// How long a request for a version whose queue is full waits, unread, for room before it is refused
    /// with 503. A closed-loop client refused at once sends the same request again at once, and receiving
    /// and refusing it costs the CPU the model needs (on two cores, goodput at 768 connections fell to 41 %
    /// of capacity); held, it costs only its connection. 0 refuses at once. Default 2 s.
    /// </summary>
    public TimeSpan AdmissionWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Most requests that may wait for room in one version's queue at once (see <see cref="AdmissionWait"/>);
    /// beyond it a request is refused at once. Each waiting body is reserved in the request buffer budget
    /// (declared length) before it waits, so the budget bounds their memory too. Default 1024.
    /// </summary>
    public int MaxWaitingRequests { get; set; } = 1024;

    /// <summary>
    /// Most bytes of free 4 KiB blocks the connection buffer pool (Kestrel reads every connection into it)
    /// keeps for reuse; blocks returned beyond it are let go, and <see cref="TrimCheckInterval"/> hands
    /// them back to the operating system once a burst is over. Default 16 MiB.
    /// </summary>
    public long PooledBufferBytes { get; set; } = 16L << 20;

    /// <summary>
    /// How often the gateway looks whether a burst of buffers is over, to return its memory to the
    /// operating system (one full, compacting collection). 0 never does. Default 10 s.
    /// </summary>
    public TimeSpan TrimCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The budget in force: <see cref="RequestBufferBytes"/>, or the default derived from the memory the process may use.</summary>
    public long EffectiveRequestBufferBytes(long maxRequestBodyBytes, long availableMemoryBytes)
    {
        if (RequestBufferBytes > 0)
        {
            return RequestBufferBytes;
        }
        const long Floor = 64L << 20;
        const long Ceiling = 2L << 30;
        return Math.Max(maxRequestBodyBytes, Math.Clamp(availableMemoryBytes / 8, Floor, Ceiling));
    }
}
