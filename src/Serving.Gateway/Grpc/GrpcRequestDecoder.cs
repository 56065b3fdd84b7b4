using System.Runtime.InteropServices;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Serving.Core.Protocol;
using Serving.Gateway.Grpc.Protocol;

namespace Serving.Gateway.Grpc;

/// <summary>
/// Decodes a <see cref="ModelInferRequest"/> into the pooled tensors of an <see cref="InferenceRequest"/>
/// bound to the model's signature: typed <c>contents</c> or <c>raw_input_contents</c>, checked against the
/// signature as REST requests are (<see cref="InferenceRequestParser.Validate"/>).
/// </summary>
internal static class GrpcRequestDecoder
{
    /// <returns>null on success, otherwise what is wrong with the request.</returns>
    public static string? Decode(ModelInferRequest message, InferenceRequest request)
    {
        var signature = request.Signature!;
        var raw = message.RawInputContents.Count > 0;
        if (raw && message.RawInputContents.Count != message.Inputs.Count)
        {
            return $"raw_input_contents has {message.RawInputContents.Count} entries but the request has {message.Inputs.Count} inputs.";
        }
        for (var i = 0; i < message.Inputs.Count; i++)
        {
            var error = DecodeInput(message.Inputs[i], raw ? message.RawInputContents[i] : null, request, signature);
            if (error is not null)
            {
                return error;
            }
        }
        for (var i = 0; i < message.Outputs.Count; i++)
        {
            var name = message.Outputs[i].Name;
            var index = IndexOf(signature.Outputs, name);
            if (index < 0)
            {
                return $"Unknown output '{name}'; the model's outputs are: {InferenceRequestParser.Names(signature.Outputs)}.";
            }
            request.SelectOutput(index, binary: false);
        }
        return InferenceRequestParser.Validate(request, signature);
    }

    private static string? DecodeInput(ModelInferRequest.Types.InferInputTensor tensor, ByteString? raw, InferenceRequest request, ModelSignature signature)
    {
        var index = IndexOf(signature.Inputs, tensor.Name);
        if (index < 0)
        {
            return $"Unknown input '{tensor.Name}'; the model's inputs are: {InferenceRequestParser.Names(signature.Inputs)}.";
        }
        var spec = signature.Inputs[index];
        if (request.Input(index).Present)
        {
            return $"Input '{spec.Name}' appears more than once.";
        }
        var declared = ParseDatatype(tensor.Datatype);
        if (declared == TensorDataType.Unknown)
        {
            return $"Unknown datatype '{tensor.Datatype}'.";
        }
        if (declared != spec.DataType)
        {
            return InferenceRequestParser.DatatypeMismatch(spec, declared);
        }
        var shape = default(TensorShape);
        foreach (var dim in tensor.Shape)
        {
            if (dim < 0)
            {
                return $"Input '{spec.Name}' has a negative dimension ({dim}).";
            }
            if (!shape.TryAdd(dim))
            {
                return $"Input '{spec.Name}' has more than {TensorShape.MaxRank} dimensions.";
            }
        }
        var elements = shape.ElementCount();
        var elementSize = TensorDataTypes.ElementSize(declared);
        if (elements < 0 || elements > int.MaxValue / elementSize)
        {
            return $"Input '{spec.Name}' with shape {shape} is too large.";
        }
        var byteLength = (int)elements * elementSize;
        if (raw is not null)
        {
            if (HasTypedContents(tensor.Contents))
            {
                return $"Input '{spec.Name}' has typed contents although the request uses raw_input_contents.";
            }
            if (raw.Length != byteLength)
            {
                return $"Input '{spec.Name}' has {raw.Length} bytes of raw_input_contents but shape {shape} of {tensor.Datatype} needs {byteLength}.";
            }
            var written = request.WriteInput(index, declared, shape, byteLength);
            raw.Span.CopyTo(written);
            return InferenceRequestParser.NonFiniteError(spec, written);
        }
        if (tensor.Contents is null)
        {
            return $"Input '{spec.Name}' has no contents (and the request has no raw_input_contents).";
        }
        // Inputs must be finite, as over REST (docs/limits.md): checked on the copied values.
        var target = request.WriteInput(index, declared, shape, byteLength);
        return CopyTyped(tensor.Contents, spec.Name, declared, shape, (int)elements, target) ?? InferenceRequestParser.NonFiniteError(spec, target);
    }

    /// <summary>Copies the typed field that matches <paramref name="type"/> into <paramref name="target"/>, little-endian.</summary>
    private static string? CopyTyped(InferTensorContents contents, string name, TensorDataType type, in TensorShape shape, int elements, Span<byte> target)
    {
        var count = type switch
        {
            TensorDataType.Bool => contents.BoolContents.Count,
            TensorDataType.Int8 or TensorDataType.Int16 or TensorDataType.Int32 => contents.IntContents.Count,
            TensorDataType.Int64 => contents.Int64Contents.Count,
            TensorDataType.UInt8 or TensorDataType.UInt16 or TensorDataType.UInt32 => contents.UintContents.Count,
            TensorDataType.UInt64 => contents.Uint64Contents.Count,
            TensorDataType.Fp32 => contents.Fp32Contents.Count,
            TensorDataType.Fp64 => contents.Fp64Contents.Count,
            _ => -1,
        };
        if (count < 0)
        {
            return $"Input '{name}' is {TensorDataTypes.Name(type)}, which has no typed contents field: send it in raw_input_contents.";
        }
        if (count != elements)
        {
            return $"Input '{name}' has {count} values but shape {shape} needs {elements}.";
        }
        switch (type)
        {
            case TensorDataType.Bool:
                for (var i = 0; i < count; i++)
                {
                    target[i] = contents.BoolContents[i] ? (byte)1 : (byte)0;
                }
                return null;
            case TensorDataType.Int8:
                return Narrow(contents.IntContents, MemoryMarshal.Cast<byte, sbyte>(target), name, sbyte.MinValue, sbyte.MaxValue);
            case TensorDataType.Int16:
                return Narrow(contents.IntContents, MemoryMarshal.Cast<byte, short>(target), name, short.MinValue, short.MaxValue);
            case TensorDataType.Int32:
                Copy(contents.IntContents, MemoryMarshal.Cast<byte, int>(target));
                return null;
            case TensorDataType.Int64:
                Copy(contents.Int64Contents, MemoryMarshal.Cast<byte, long>(target));
                return null;
            case TensorDataType.UInt8:
                return Narrow(contents.UintContents, target, name, byte.MaxValue);
            case TensorDataType.UInt16:
                return Narrow(contents.UintContents, MemoryMarshal.Cast<byte, ushort>(target), name, ushort.MaxValue);
            case TensorDataType.UInt32:
                Copy(contents.UintContents, MemoryMarshal.Cast<byte, uint>(target));
                return null;
            case TensorDataType.UInt64:
                Copy(contents.Uint64Contents, MemoryMarshal.Cast<byte, ulong>(target));
                return null;
            case TensorDataType.Fp32:
                Copy(contents.Fp32Contents, MemoryMarshal.Cast<byte, float>(target));
                return null;
            default:
                Copy(contents.Fp64Contents, MemoryMarshal.Cast<byte, double>(target));
                return null;
        }
    }

    private static void Copy<T>(RepeatedField<T> values, Span<T> target)
    {
        for (var i = 0; i < values.Count; i++)
        {
            target[i] = values[i];
        }
    }

    private static string? Narrow<T>(RepeatedField<int> values, Span<T> target, string name, int min, int max)
        where T : struct, System.Numerics.INumberBase<T>
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value < min || value > max)
            {
                return $"Input '{name}' holds {value}, outside the range of its datatype.";
            }
            target[i] = T.CreateTruncating(value);
        }
        return null;
    }

    private static string? Narrow<T>(RepeatedField<uint> values, Span<T> target, string name, uint max)
        where T : struct, System.Numerics.INumberBase<T>
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value > max)
            {
                return $"Input '{name}' holds {value}, outside the range of its datatype.";
            }
            target[i] = T.CreateTruncating(value);
        }
        return null;
    }

    private static bool HasTypedContents(InferTensorContents? contents) =>
        contents is not null && (contents.BoolContents.Count | contents.IntContents.Count | contents.Int64Contents.Count
            | contents.UintContents.Count | contents.Uint64Contents.Count | contents.Fp32Contents.Count
            | contents.Fp64Contents.Count | contents.BytesContents.Count) != 0;

    private static int IndexOf(IReadOnlyList<TensorSpec> specs, string name)
    {
        for (var i = 0; i < specs.Count; i++)
        {
            if (string.Equals(specs[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    private static TensorDataType ParseDatatype(string name)
    {
        for (var type = TensorDataType.Bool; type <= TensorDataType.Fp64; type++)
        {
            if (string.Equals(TensorDataTypes.Name(type), name, StringComparison.Ordinal))
            {
                return type;
            }
        }
        return TensorDataType.Unknown;
    }
}
