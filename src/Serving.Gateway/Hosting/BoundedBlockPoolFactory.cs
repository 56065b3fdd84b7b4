using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Serving.Gateway.Protocol;

namespace Serving.Gateway.Hosting;

/// <summary>Gives Kestrel's transports and connections <see cref="BoundedBlockPool"/>s, and remembers them for <see cref="MemoryTrimService"/>.</summary>
internal sealed class BoundedBlockPoolFactory(IOptions<ProtocolOptions> options) : IMemoryPoolFactory<byte>
{
    private readonly List<BoundedBlockPool> _pools = [];

    public MemoryPool<byte> Create(MemoryPoolOptions? poolOptions = null)
    {
        var pool = new BoundedBlockPool(options.Value.Limits.PooledBufferBytes);
        lock (_pools)
        {
            _pools.Add(pool);
        }
        return pool;
    }

    /// <summary>Pools made so far (Kestrel makes one per transport and per connection protocol).</summary>
    public int PoolCount
    {
        get
        {
            lock (_pools)
            {
                return _pools.Count;
            }
        }
    }

    /// <summary>Bytes let go by every pool made so far.</summary>
    public long ReleasedBytes()
    {
        lock (_pools)
        {
            return _pools.Sum(static p => p.ReleasedBytes);
        }
    }
}
