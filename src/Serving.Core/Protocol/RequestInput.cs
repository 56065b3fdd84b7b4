namespace Serving.Core.Protocol;

/// <summary>
/// One input tensor of a parsed request, laid out as the model expects it (little-endian, row major).
/// Its bytes live in a pooled buffer owned by the enclosing <see cref="InferenceRequest"/>.
/// </summary>
public sealed class RequestInput
{
    internal PooledBuffer Data;

    /// <summary>Whether the request carried this input.</summary>
    public bool Present { get; internal set; }

    /// <summary>The datatype the request declared.</summary>
    public TensorDataType DeclaredType { get; internal set; }

    /// <summary>The shape the request declared.</summary>
    public TensorShape Shape;

    /// <summary>Size of the tensor in the binary section, or -1 when its data is in the JSON.</summary>
    public long BinaryDataSize { get; internal set; } = -1;

    /// <summary>Number of elements parsed from JSON <c>data</c>.</summary>
    public long ElementsParsed { get; internal set; }

    /// <summary>The tensor's bytes.</summary>
    public ReadOnlySpan<byte> Bytes => Data.Span;

    /// <summary>The pooled array holding <see cref="Bytes"/> at offset 0 (null when empty).</summary>
    public byte[]? Array => Data.Array;

    internal void Reset()
    {
        Present = false;
        DeclaredType = TensorDataType.Unknown;
        Shape.Clear();
        BinaryDataSize = -1;
        ElementsParsed = 0;
        Data.Reset();
    }

    internal void Release()
    {
        Reset();
        Data.Release();
    }
}
