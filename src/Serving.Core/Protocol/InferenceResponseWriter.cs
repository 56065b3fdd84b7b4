using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;

namespace Serving.Core.Protocol;

/// <summary>
/// Writes an Open Inference Protocol response: the JSON object and, for outputs returned as binary,
/// their bytes after it (the binary tensor data extension).
/// </summary>
public static class InferenceResponseWriter
{
    /// <summary>
    /// Writes the response for <paramref name="request"/> and <paramref name="result"/> into
    /// <paramref name="destination"/> using <paramref name="writer"/>, which is reset onto it.
    /// </summary>
    /// <returns>The length of the JSON part when binary outputs follow it, otherwise -1.</returns>
    public static int Write(
        Utf8JsonWriter writer,
        IBufferWriter<byte> destination,
        ReadOnlySpan<byte> modelName,
        ReadOnlySpan<byte> modelVersion,
        InferenceRequest request,
        InferenceResult result)
    {
        var signature = request.Signature!;
        writer.Reset(destination);
        writer.WriteStartObject();
        writer.WriteString("model_name"u8, modelName);
        writer.WriteString("model_version"u8, modelVersion);
        if (request.HasId)
        {
            writer.WriteString("id"u8, request.Id);
        }
        writer.WriteStartArray("outputs"u8);
        var anyBinary = false;
        var outputs = result.Outputs;
        for (var i = 0; i < outputs.Length; i++)
        {
            if (!request.IsOutputRequested(i))
            {
                continue;
            }
            var output = outputs[i];
            writer.WriteStartObject();
            writer.WriteString("name"u8, signature.Outputs[i].Utf8Name);
            writer.WriteString("datatype"u8, TensorDataTypes.Utf8Name(output.DataType));
            writer.WriteStartArray("shape"u8);
            foreach (var dim in output.Shape.AsSpan())
            {
                writer.WriteNumberValue(dim);
            }
            writer.WriteEndArray();
            if (request.IsOutputBinary(i))
            {
                anyBinary = true;
                writer.WriteStartObject("parameters"u8);
                writer.WriteNumber("binary_data_size"u8, output.Bytes.Length);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartArray("data"u8);
                WriteData(writer, output.DataType, output.Bytes);
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        if (!anyBinary)
        {
            return -1;
        }
        var jsonLength = checked((int)writer.BytesCommitted);
        for (var i = 0; i < outputs.Length; i++)
        {
            if (request.IsOutputRequested(i) && request.IsOutputBinary(i))
            {
                var bytes = outputs[i].Bytes;
                bytes.CopyTo(destination.GetSpan(bytes.Length));
                destination.Advance(bytes.Length);
            }
        }
        return jsonLength;
    }

    // JSON has no NaN or infinity, and Utf8JsonWriter throws on them; a model may still produce them
    // (log of 0, overflow). They are written as the strings System.Text.Json uses for named
    // floating-point literals; binary outputs carry them exactly.
    private static void WriteSingle(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(NonFiniteName(value));
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(NonFiniteName(value));
        }
    }

    private static ReadOnlySpan<byte> NonFiniteName(double value) =>
        double.IsNaN(value) ? "NaN"u8 : value > 0 ? "Infinity"u8 : "-Infinity"u8;

    private static void WriteData(Utf8JsonWriter writer, TensorDataType type, ReadOnlySpan<byte> bytes)
    {
        var size = TensorDataTypes.ElementSize(type);
        for (var offset = 0; offset + size <= bytes.Length; offset += size)
        {
            var element = bytes.Slice(offset, size);
            switch (type)
            {
                case TensorDataType.Fp32: WriteSingle(writer, BinaryPrimitives.ReadSingleLittleEndian(element)); break;
                case TensorDataType.Fp64: WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(element)); break;
                case TensorDataType.Fp16: WriteSingle(writer, (float)BinaryPrimitives.ReadHalfLittleEndian(element)); break;
                case TensorDataType.Int64: writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(element)); break;
                case TensorDataType.Int32: writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(element)); break;
                case TensorDataType.Int16: writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(element)); break;
                case TensorDataType.Int8: writer.WriteNumberValue(unchecked((sbyte)element[0])); break;
                case TensorDataType.UInt64: writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(element)); break;
                case TensorDataType.UInt32: writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(element)); break;
                case TensorDataType.UInt16: writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(element)); break;
                case TensorDataType.UInt8: writer.WriteNumberValue(element[0]); break;
                case TensorDataType.Bool: writer.WriteBooleanValue(element[0] != 0); break;
                default: throw new InvalidOperationException($"Cannot write datatype {type}.");
            }
        }
    }
}
