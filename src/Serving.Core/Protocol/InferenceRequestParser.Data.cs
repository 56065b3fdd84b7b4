using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Serving.Core.Protocol;

public static partial class InferenceRequestParser
{
    /// <summary>
    /// Reads a flat or nested JSON <c>data</c> array into the input's pooled buffer, converting each
    /// element to the model's datatype as it goes. The reader is positioned on the array's first token.
    /// </summary>
    private static string? ParseData(ref Utf8JsonReader reader, TensorSpec spec, RequestInput input, long expectedElements)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return $"Input '{spec.Name}' 'data' must be an array.";
        }
        var type = spec.DataType;
        var size = TensorDataTypes.ElementSize(type);
        input.Data.Reset();
        if (expectedElements > 0 && expectedElements <= 1 << 16)
        {
            // Size the buffer once for the common case; larger tensors grow as elements arrive so that a
            // huge declared shape with little data cannot reserve memory it does not send.
            input.Data.Resize((int)expectedElements * size);
            input.Data.Reset();
        }
        long count = 0;
        var depth = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Number:
                    if (!TryWriteNumber(ref reader, type, input.Data.Append(size)))
                    {
                        return type == TensorDataType.Bool
                            ? $"Input '{spec.Name}' is BOOL: its data must be true or false."
                            : $"Input '{spec.Name}' has a value that is not a valid {TensorDataTypes.Name(type)}: {NumberAsSent(ref reader)}.";
                    }
                    count++;
                    break;
                case JsonTokenType.True:
                case JsonTokenType.False:
                    if (type != TensorDataType.Bool)
                    {
                        return $"Input '{spec.Name}' has non-numeric data (true/false) for datatype {TensorDataTypes.Name(type)}.";
                    }
                    input.Data.Append(1)[0] = reader.TokenType == JsonTokenType.True ? (byte)1 : (byte)0;
                    count++;
                    break;
                case JsonTokenType.StartArray:
                    if (++depth > MaxDataDepth)
                    {
                        return $"Input '{spec.Name}' 'data' is nested more than {MaxDataDepth} levels deep.";
                    }
                    break;
                case JsonTokenType.EndArray:
                    if (depth == 0)
                    {
                        input.ElementsParsed = count;
                        return null;
                    }
                    depth--;
                    break;
                default:
                    return $"Input '{spec.Name}' has non-numeric data ({reader.TokenType}) in 'data'.";
            }
        }
        return $"Input '{spec.Name}' 'data' is not closed.";
    }

    /// <summary>The number's JSON text: going through double would round a 64-bit integer and turn 1e400 into infinity.</summary>
    private static string NumberAsSent(ref Utf8JsonReader reader) =>
        reader.HasValueSequence ? Encoding.UTF8.GetString(reader.ValueSequence) : Encoding.UTF8.GetString(reader.ValueSpan);

    private static bool TryWriteNumber(ref Utf8JsonReader reader, TensorDataType type, Span<byte> destination)
    {
        switch (type)
        {
            case TensorDataType.Fp32:
                if (!reader.TryGetSingle(out var f) || !float.IsFinite(f))
                {
                    return false;
                }
                BinaryPrimitives.WriteSingleLittleEndian(destination, f);
                return true;
            case TensorDataType.Fp64:
                if (!reader.TryGetDouble(out var d) || !double.IsFinite(d))
                {
                    return false;
                }
                BinaryPrimitives.WriteDoubleLittleEndian(destination, d);
                return true;
            case TensorDataType.Fp16:
                // A finite float can still be past FP16's range (65504): the conversion makes it infinite.
                if (!reader.TryGetSingle(out var f16) || !Half.IsFinite((Half)f16))
                {
                    return false;
                }
                BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)f16);
                return true;
            case TensorDataType.Int64:
                if (!reader.TryGetInt64(out var l))
                {
                    return false;
                }
                BinaryPrimitives.WriteInt64LittleEndian(destination, l);
                return true;
            case TensorDataType.Int32:
                if (!reader.TryGetInt32(out var i))
                {
                    return false;
                }
                BinaryPrimitives.WriteInt32LittleEndian(destination, i);
                return true;
            case TensorDataType.Int16:
                if (!reader.TryGetInt16(out var s))
                {
                    return false;
                }
                BinaryPrimitives.WriteInt16LittleEndian(destination, s);
                return true;
            case TensorDataType.Int8:
                if (!reader.TryGetSByte(out var sb))
                {
                    return false;
                }
                destination[0] = unchecked((byte)sb);
                return true;
            case TensorDataType.UInt64:
                if (!reader.TryGetUInt64(out var ul))
                {
                    return false;
                }
                BinaryPrimitives.WriteUInt64LittleEndian(destination, ul);
                return true;
            case TensorDataType.UInt32:
                if (!reader.TryGetUInt32(out var ui))
                {
                    return false;
                }
                BinaryPrimitives.WriteUInt32LittleEndian(destination, ui);
                return true;
            case TensorDataType.UInt16:
                if (!reader.TryGetUInt16(out var us))
                {
                    return false;
                }
                BinaryPrimitives.WriteUInt16LittleEndian(destination, us);
                return true;
            case TensorDataType.UInt8:
                if (!reader.TryGetByte(out var b))
                {
                    return false;
                }
                destination[0] = b;
                return true;
            default:
                return false;
        }
    }
}
