using Serving.Core.Protocol;

namespace Serving.Core.Tests.Protocol;

public sealed class PooledBufferTests
{
    [Fact]
    public void Append_PastCapacity_GrowsAndKeepsTheContents()
    {
        var buffer = default(PooledBuffer);
        var expected = new List<byte>();

        for (var i = 0; i < 1000; i++)
        {
            var span = buffer.Append(3);
            span[0] = (byte)i;
            span[1] = (byte)(i >> 8);
            span[2] = 0xAB;
            expected.AddRange([(byte)i, (byte)(i >> 8), 0xAB]);
        }

        Assert.Equal(3000, buffer.Length);
        Assert.Equal(expected, buffer.Span.ToArray());
        buffer.Release();
    }

    [Fact]
    public void Release_RentedBuffer_ArrayNullAndEmpty()
    {
        var buffer = default(PooledBuffer);
        buffer.Append(100).Fill(1);
        Assert.NotNull(buffer.Array);

        buffer.Release();

        Assert.Null(buffer.Array);
        Assert.Equal(0, buffer.Length);
        Assert.True(buffer.Span.IsEmpty);
    }

    [Fact]
    public void Release_Twice_IsHarmless()
    {
        var buffer = default(PooledBuffer);
        buffer.Resize(10);

        buffer.Release();
        buffer.Release();

        Assert.Null(buffer.Array);
    }

    [Fact]
    public void Reset_KeepsTheArrayForReuse()
    {
        var buffer = default(PooledBuffer);
        buffer.Resize(200);
        var array = buffer.Array;

        buffer.Reset();
        buffer.Append(50);

        Assert.Same(array, buffer.Array);
        Assert.Equal(50, buffer.Length);
        buffer.Release();
    }

    [Fact]
    public void Resize_Larger_LengthIsTheNewSize()
    {
        var buffer = default(PooledBuffer);
        buffer.Append(4).Fill(7);

        var span = buffer.Resize(5000);

        Assert.Equal(5000, span.Length);
        Assert.Equal(5000, buffer.Length);
        Assert.Equal([7, 7, 7, 7], buffer.Span[..4].ToArray());
        buffer.Release();
    }
}
