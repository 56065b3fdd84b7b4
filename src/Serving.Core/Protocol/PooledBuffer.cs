using System.Buffers;
using System.Diagnostics;

namespace Serving.Core.Protocol;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>. The owner calls
/// <see cref="Release"/> on every path (success and error) to hand the array back.
/// </summary>
public struct PooledBuffer
{
    private byte[]? _array;

    /// <summary>Bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>The rented array, or null before the first write.</summary>
    public readonly byte[]? Array => _array;

    /// <summary>The written bytes.</summary>
    public readonly Span<byte> Span => _array is null ? Span<byte>.Empty : _array.AsSpan(0, Length);

    /// <summary>Makes room for <paramref name="count"/> more bytes and returns them.</summary>
    public Span<byte> Append(int count)
    {
        Debug.Assert(count >= 0);
        EnsureCapacity(Length + count);
        var span = _array.AsSpan(Length, count);
        Length += count;
        return span;
    }

    /// <summary>Sets the length to <paramref name="length"/> bytes, renting as needed; contents are undefined.</summary>
    public Span<byte> Resize(int length)
    {
        EnsureCapacity(length);
        Length = length;
        return _array.AsSpan(0, length);
    }

    /// <summary>Forgets the contents but keeps the array for reuse.</summary>
    public void Reset() => Length = 0;

    /// <summary>Returns the array to the pool.</summary>
    public void Release()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = null;
        }
        Length = 0;
    }

    private void EnsureCapacity(int capacity)
    {
        if (_array is not null && _array.Length >= capacity)
        {
            return;
        }
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, Math.Max(64, (_array?.Length ?? 0) * 2)));
        if (_array is not null)
        {
            _array.AsSpan(0, Length).CopyTo(next);
            ArrayPool<byte>.Shared.Return(_array);
        }
        _array = next;
    }
}
