using System.Buffers.Binary;
using System.Text.Json;
using Serving.Core.Protocol;

namespace Serving.Gateway.PayloadLog;

/// <summary>
/// Writes a <see cref="PayloadRecord"/> as one JSON line in the inference protocol's tensor form:
/// <c>{"timestamp", "model", "version", "variant", "id", "latency_ms", "truncated", "inputs": [{"name", "datatype",
/// "shape", "data"}], "outputs": [...]}</c>; a truncated record has no <c>data</c>.
/// </summary>
internal static class PayloadJson
{
    /// <summary>Writes the record (without the newline).</summary>
    public static void Write(Utf8JsonWriter writer, PayloadRecord record)
    {
        writer.WriteStartObject();
        writer.WriteString("timestamp"u8, record.Timestamp);
        writer.WriteString("model"u8, record.Model);
        writer.WriteString("version"u8, record.Version);
        writer.WriteString("variant"u8, record.Variant);
        if (record.Id is null)
        {
            writer.WriteNull("id"u8);
        }
        else
        {
            writer.WriteString("id"u8, record.Id);
        }

        writer.WriteNumber("latency_ms"u8, Math.Round(record.LatencySeconds * 1000.0, 3));
        writer.WriteBoolean("truncated"u8, record.Truncated);
        Tensors(writer, "inputs"u8, record.Inputs);
        Tensors(writer, "outputs"u8, record.Outputs);
        writer.WriteEndObject();
    }

    private static void Tensors(Utf8JsonWriter writer, ReadOnlySpan<byte> property, PayloadTensor[] tensors)
    {
        writer.WriteStartArray(property);
        foreach (var tensor in tensors)
        {
            writer.WriteStartObject();
            writer.WriteString("name"u8, tensor.Name);
            writer.WriteString("datatype"u8, TensorDataTypes.Utf8Name(tensor.DataType));
            writer.WriteStartArray("shape"u8);
            foreach (long dim in tensor.Shape)
            {
                writer.WriteNumberValue(dim);
            }

            writer.WriteEndArray();
            if (tensor.Data is { } data)
            {
                writer.WriteStartArray("data"u8);
                Values(writer, tensor.DataType, data);
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void Values(Utf8JsonWriter writer, TensorDataType type, ReadOnlySpan<byte> data)
    {
        int size = TensorDataTypes.ElementSize(type);
        for (int i = 0; size > 0 && i + size <= data.Length; i += size)
        {
            ReadOnlySpan<byte> v = data.Slice(i, size);
            switch (type)
            {
                case TensorDataType.Bool: writer.WriteBooleanValue(v[0] != 0); break;
                case TensorDataType.UInt8: writer.WriteNumberValue(v[0]); break;
                case TensorDataType.Int8: writer.WriteNumberValue((sbyte)v[0]); break;
                case TensorDataType.UInt16: writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(v)); break;
                case TensorDataType.Int16: writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(v)); break;
                case TensorDataType.UInt32: writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(v)); break;
                case TensorDataType.Int32: writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(v)); break;
                case TensorDataType.UInt64: writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(v)); break;
                case TensorDataType.Int64: writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(v)); break;
                case TensorDataType.Fp16: Number(writer, (float)BinaryPrimitives.ReadHalfLittleEndian(v)); break;
                case TensorDataType.Fp32: Number(writer, BinaryPrimitives.ReadSingleLittleEndian(v)); break;
                case TensorDataType.Fp64: Number(writer, BinaryPrimitives.ReadDoubleLittleEndian(v)); break;
                default: return;
            }
        }
    }

    // JSON has no NaN or infinity: write them as the strings the protocol's parser accepts.
    private static void Number(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void Number(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            Number(writer, (double)value);
        }
    }
}
