using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Serving.Gateway.Protocol;

namespace Serving.Gateway.Hosting;

/// <summary>
/// The buffer pool Kestrel reads connections into (it takes its pool from <see cref="IMemoryPoolFactory{T}"/>):
/// 4 KiB pinned blocks like Kestrel's own pool, but it keeps at most <see cref="RequestLimits.PooledBufferBytes"/>
/// of free blocks. Kestrel's pool keeps every block a burst needed and gives back 5 % of them every 10 s
/// once idle, so after 40 connections each sent 30 MiB it still held the admitted bodies' blocks minutes
/// later; here the blocks beyond the cap are let go as they come back, and <see cref="MemoryTrimService"/>
/// has the GC return them to the operating system once the burst is over.
/// </summary>
internal sealed class BoundedBlockPool : MemoryPool<byte>
{
    /// <summary>The size of a block: a page, as in Kestrel's pool.</summary>
    public const int BlockSize = 4096;

    private readonly ConcurrentQueue<Block> _free = new();
    private readonly int _maxFreeBlocks;
    private int _freeCount;
    private long _released;

    public BoundedBlockPool(long maxFreeBytes) => _maxFreeBlocks = (int)Math.Clamp(maxFreeBytes / BlockSize, 0, int.MaxValue);

    public override int MaxBufferSize => BlockSize;

    /// <summary>Bytes of blocks let go (beyond the cap) since the pool was created.</summary>
    public long ReleasedBytes => Interlocked.Read(ref _released);

    /// <summary>Bytes of free blocks kept now.</summary>
    public long FreeBytes => (long)Volatile.Read(ref _freeCount) * BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block;
        }
        return new Block(this);
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _freeCount) > _maxFreeBlocks)
        {
            Interlocked.Decrement(ref _freeCount);
            Interlocked.Add(ref _released, BlockSize);
            return;
        }
        _free.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
        while (_free.TryDequeue(out _))
        {
        }
    }

    /// <summary>One pinned block; disposing it returns it to its pool.</summary>
    private sealed class Block(BoundedBlockPool pool) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = MemoryMarshal.CreateFromPinnedArray(GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true), 0, BlockSize);

        public void Dispose() => pool.Return(this);
    }
}
