using System.Text;

namespace Serving.Core.Protocol;

/// <summary>Names and sizes of <see cref="TensorDataType"/> as the protocol spells them.</summary>
public static class TensorDataTypes
{
    // The names as strings, made once from the UTF-8 table below (the one list of the protocol's names), indexed by the enum's value.
    private static readonly string[] Names = MakeNames();

    /// <summary>Size in bytes of one element.</summary>
    public static int ElementSize(TensorDataType type) => type switch
    {
        TensorDataType.Bool or TensorDataType.UInt8 or TensorDataType.Int8 => 1,
        TensorDataType.UInt16 or TensorDataType.Int16 or TensorDataType.Fp16 => 2,
        TensorDataType.UInt32 or TensorDataType.Int32 or TensorDataType.Fp32 => 4,
        TensorDataType.UInt64 or TensorDataType.Int64 or TensorDataType.Fp64 => 8,
        _ => 0,
    };

    /// <summary>The protocol name, e.g. <c>FP32</c>.</summary>
    public static string Name(TensorDataType type) => (int)type < Names.Length ? Names[(int)type] : Names[0];

    /// <summary>The protocol name as UTF-8 bytes, for writers that take <c>ReadOnlySpan&lt;byte&gt;</c>.</summary>
    public static ReadOnlySpan<byte> Utf8Name(TensorDataType type) => type switch
    {
        TensorDataType.Bool => "BOOL"u8,
        TensorDataType.UInt8 => "UINT8"u8,
        TensorDataType.UInt16 => "UINT16"u8,
        TensorDataType.UInt32 => "UINT32"u8,
        TensorDataType.UInt64 => "UINT64"u8,
        TensorDataType.Int8 => "INT8"u8,
        TensorDataType.Int16 => "INT16"u8,
        TensorDataType.Int32 => "INT32"u8,
        TensorDataType.Int64 => "INT64"u8,
        TensorDataType.Fp16 => "FP16"u8,
        TensorDataType.Fp32 => "FP32"u8,
        TensorDataType.Fp64 => "FP64"u8,
        _ => "UNKNOWN"u8,
    };

    /// <summary>Parses a protocol name given as UTF-8 bytes; <see cref="TensorDataType.Unknown"/> if not one.</summary>
    public static TensorDataType Parse(ReadOnlySpan<byte> name)
    {
        for (var t = TensorDataType.Bool; t <= TensorDataType.Fp64; t++)
        {
            if (name.SequenceEqual(Utf8Name(t)))
            {
                return t;
            }
        }
        return TensorDataType.Unknown;
    }

    private static string[] MakeNames()
    {
        var names = new string[(int)TensorDataType.Fp64 + 1];
        for (var t = TensorDataType.Unknown; t <= TensorDataType.Fp64; t++)
        {
            names[(int)t] = Encoding.ASCII.GetString(Utf8Name(t));
        }

        return names;
    }
}
