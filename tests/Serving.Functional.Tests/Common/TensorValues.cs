using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace Serving.Functional.Tests.Common;

/// <summary>Converts between a KServe v2 tensor's JSON <c>data</c> and its little-endian bytes, per datatype, without going through double for integers.</summary>
internal static class TensorValues
{
    public static int ElementSize(string datatype) => datatype switch
    {
        "BOOL" or "UINT8" or "INT8" => 1,
        "UINT16" or "INT16" or "FP16" => 2,
        "UINT32" or "INT32" or "FP32" => 4,
        "UINT64" or "INT64" or "FP64" => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(datatype), datatype, null),
    };

    /// <summary>The bytes a binary request carries for <paramref name="data"/> (a flat JSON array).</summary>
    public static byte[] ToBytes(string datatype, JsonElement data)
    {
        var values = data.EnumerateArray().ToArray();
        var size = ElementSize(datatype);
        var bytes = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            var span = bytes.AsSpan(i * size, size);
            var v = values[i];
            switch (datatype)
            {
                case "BOOL": span[0] = v.GetBoolean() ? (byte)1 : (byte)0; break;
                case "UINT8": span[0] = v.GetByte(); break;
                case "INT8": span[0] = unchecked((byte)v.GetSByte()); break;
                case "UINT16": BinaryPrimitives.WriteUInt16LittleEndian(span, v.GetUInt16()); break;
                case "INT16": BinaryPrimitives.WriteInt16LittleEndian(span, v.GetInt16()); break;
                case "UINT32": BinaryPrimitives.WriteUInt32LittleEndian(span, v.GetUInt32()); break;
                case "INT32": BinaryPrimitives.WriteInt32LittleEndian(span, v.GetInt32()); break;
                case "UINT64": BinaryPrimitives.WriteUInt64LittleEndian(span, v.GetUInt64()); break;
                case "INT64": BinaryPrimitives.WriteInt64LittleEndian(span, v.GetInt64()); break;
                case "FP16": BinaryPrimitives.WriteHalfLittleEndian(span, (Half)v.GetDouble()); break;
                case "FP32": BinaryPrimitives.WriteSingleLittleEndian(span, (float)v.GetDouble()); break;
                case "FP64": BinaryPrimitives.WriteDoubleLittleEndian(span, v.GetDouble()); break;
                default: throw new ArgumentOutOfRangeException(nameof(datatype), datatype, null);
            }
        }
        return bytes;
    }

    /// <summary>Each element as exact text: integers as written, floats rounded to the datatype and printed round-trip.</summary>
    public static string[] Canonical(string datatype, JsonElement data) =>
        data.EnumerateArray().Select(v => CanonicalElement(datatype, v)).ToArray();

    /// <summary>Each element of <paramref name="bytes"/> as exact text, as <see cref="Canonical(string, JsonElement)"/> prints it.</summary>
    public static string[] Canonical(string datatype, byte[] bytes)
    {
        var size = ElementSize(datatype);
        var result = new string[bytes.Length / size];
        for (var i = 0; i < result.Length; i++)
        {
            var span = bytes.AsSpan(i * size, size);
            result[i] = datatype switch
            {
                "BOOL" => span[0] != 0 ? "true" : "false",
                "UINT8" => span[0].ToString(CultureInfo.InvariantCulture),
                "INT8" => unchecked((sbyte)span[0]).ToString(CultureInfo.InvariantCulture),
                "UINT16" => BinaryPrimitives.ReadUInt16LittleEndian(span).ToString(CultureInfo.InvariantCulture),
                "INT16" => BinaryPrimitives.ReadInt16LittleEndian(span).ToString(CultureInfo.InvariantCulture),
                "UINT32" => BinaryPrimitives.ReadUInt32LittleEndian(span).ToString(CultureInfo.InvariantCulture),
                "INT32" => BinaryPrimitives.ReadInt32LittleEndian(span).ToString(CultureInfo.InvariantCulture),
                "UINT64" => BinaryPrimitives.ReadUInt64LittleEndian(span).ToString(CultureInfo.InvariantCulture),
                "INT64" => BinaryPrimitives.ReadInt64LittleEndian(span).ToString(CultureInfo.InvariantCulture),
                "FP16" => BinaryPrimitives.ReadHalfLittleEndian(span).ToString("R", CultureInfo.InvariantCulture),
                "FP32" => BinaryPrimitives.ReadSingleLittleEndian(span).ToString("R", CultureInfo.InvariantCulture),
                "FP64" => BinaryPrimitives.ReadDoubleLittleEndian(span).ToString("R", CultureInfo.InvariantCulture),
                _ => throw new ArgumentOutOfRangeException(nameof(datatype), datatype, null),
            };
        }
        return result;
    }

    private static string CanonicalElement(string datatype, JsonElement v) => datatype switch
    {
        "BOOL" => v.GetBoolean() ? "true" : "false",
        "UINT8" or "UINT16" or "UINT32" or "UINT64" => v.GetUInt64().ToString(CultureInfo.InvariantCulture),
        "INT8" or "INT16" or "INT32" or "INT64" => v.GetInt64().ToString(CultureInfo.InvariantCulture),
        "FP16" => ((Half)v.GetDouble()).ToString("R", CultureInfo.InvariantCulture),
        "FP32" => ((float)v.GetDouble()).ToString("R", CultureInfo.InvariantCulture),
        "FP64" => v.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(datatype), datatype, null),
    };
}
