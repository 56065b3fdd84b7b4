namespace Serving.Core.Protocol;

/// <summary>One output tensor of a finished inference, in a pooled buffer owned by its <see cref="InferenceResult"/>.</summary>
public sealed class OutputTensor
{
    internal PooledBuffer Data;

    /// <summary>The output's shape for this request (its own rows only when the request was batched).</summary>
    public TensorShape Shape;

    /// <summary>Element type.</summary>
    public TensorDataType DataType { get; internal set; }

    /// <summary>The tensor's bytes, little-endian, row major.</summary>
    public ReadOnlySpan<byte> Bytes => Data.Span;

    /// <summary>Sets the shape and type and returns a buffer of <paramref name="byteLength"/> bytes to fill.</summary>
    public Span<byte> Allocate(TensorDataType dataType, in TensorShape shape, int byteLength)
    {
        DataType = dataType;
        Shape = shape;
        return Data.Resize(byteLength);
    }

    internal void Release()
    {
        Shape.Clear();
        Data.Release();
    }
}
