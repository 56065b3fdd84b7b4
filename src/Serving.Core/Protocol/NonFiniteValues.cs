using System.Numerics;
using System.Runtime.InteropServices;

namespace Serving.Core.Protocol;

/// <summary>
/// Finds NaN and infinity in little-endian floating-point tensors: a value is non-finite when every bit
/// of its exponent is set. One policy for every input: JSON cannot spell NaN and the parser refuses
/// numbers outside a type's range, and binary tensors are checked here, so no request reaches a model
/// with a non-finite input.
/// </summary>
public static class NonFiniteValues
{
    private const ushort HalfExponent = 0x7C00;
    private const uint SingleExponent = 0x7F80_0000;
    private const ulong DoubleExponent = 0x7FF0_0000_0000_0000;

    /// <summary>Index of the first non-finite element of <paramref name="data"/>, or -1 (always -1 for integer and BOOL types).</summary>
    public static int IndexOf(ReadOnlySpan<byte> data, TensorDataType type) => type switch
    {
        TensorDataType.Fp16 => IndexOf(MemoryMarshal.Cast<byte, ushort>(data), HalfExponent),
        TensorDataType.Fp32 => IndexOf(MemoryMarshal.Cast<byte, uint>(data), SingleExponent),
        TensorDataType.Fp64 => IndexOf(MemoryMarshal.Cast<byte, ulong>(data), DoubleExponent),
        _ => -1,
    };

    private static int IndexOf<T>(ReadOnlySpan<T> bits, T exponent) where T : unmanaged, IBinaryInteger<T>
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && bits.Length >= Vector<T>.Count)
        {
            // Whole vectors first (an image-sized input is thousands of elements), then the element.
            var mask = new Vector<T>(exponent);
            for (; i <= bits.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                if (Vector.EqualsAny(new Vector<T>(bits[i..]) & mask, mask))
                {
                    break;
                }
            }
        }
        for (; i < bits.Length; i++)
        {
            if ((bits[i] & exponent) == exponent)
            {
                return i;
            }
        }
        return -1;
    }
}
