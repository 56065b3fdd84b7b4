using System.Runtime.InteropServices;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Serving.Core.Protocol;
using Serving.Gateway.Batching;
using Serving.Gateway.Grpc.Protocol;
using Serving.Gateway.Inference;

namespace Serving.Gateway.Grpc;

/// <summary>
/// Encodes an answered request as a <see cref="ModelInferResponse"/>. Outputs are raw
/// (<c>raw_output_contents</c>) when the request sent raw inputs, or when an output has no typed field
/// (FP16); otherwise typed, like the request.
/// </summary>
internal static class GrpcResponseEncoder
{
    /// <summary>The response parameter that names the rollout variant that answered.</summary>
    public const string VariantParameter = "variant";

    public static ModelInferResponse Encode(ModelInferRequest message, LoadedVersion version, InferenceWorkItem item, string variant)
    {
        var request = item.Request;
        var outputs = item.Result.Outputs;
        var signature = version.Signature!;
        var raw = message.RawInputContents.Count > 0;
        for (var o = 0; o < outputs.Length && !raw; o++)
        {
            raw = request.IsOutputRequested(o) && outputs[o].DataType == TensorDataType.Fp16;
        }
        var response = new ModelInferResponse
        {
            ModelName = version.Model,
            ModelVersion = version.VersionText,
            Id = message.Id,
        };
        response.Parameters.Add(VariantParameter, new InferParameter { StringParam = variant });
        for (var o = 0; o < outputs.Length; o++)
        {
            if (!request.IsOutputRequested(o))
            {
                continue;
            }
            var output = outputs[o];
            var tensor = new ModelInferResponse.Types.InferOutputTensor
            {
                Name = signature.Outputs[o].Name,
                Datatype = TensorDataTypes.Name(output.DataType),
            };
            foreach (var dim in output.Shape.AsSpan())
            {
                tensor.Shape.Add(dim);
            }
            if (raw)
            {
                response.RawOutputContents.Add(ByteString.CopyFrom(output.Bytes));
            }
            else
            {
                tensor.Contents = Typed(output.DataType, output.Bytes);
            }
            response.Outputs.Add(tensor);
        }
        return response;
    }

    private static InferTensorContents Typed(TensorDataType type, ReadOnlySpan<byte> bytes)
    {
        var contents = new InferTensorContents();
        switch (type)
        {
            case TensorDataType.Bool:
                foreach (var b in bytes)
                {
                    contents.BoolContents.Add(b != 0);
                }
                break;
            case TensorDataType.Int8:
                Widen(MemoryMarshal.Cast<byte, sbyte>(bytes), contents.IntContents);
                break;
            case TensorDataType.Int16:
                Widen(MemoryMarshal.Cast<byte, short>(bytes), contents.IntContents);
                break;
            case TensorDataType.Int32:
                Add(MemoryMarshal.Cast<byte, int>(bytes), contents.IntContents);
                break;
            case TensorDataType.Int64:
                Add(MemoryMarshal.Cast<byte, long>(bytes), contents.Int64Contents);
                break;
            case TensorDataType.UInt8:
                Widen(bytes, contents.UintContents);
                break;
            case TensorDataType.UInt16:
                Widen(MemoryMarshal.Cast<byte, ushort>(bytes), contents.UintContents);
                break;
            case TensorDataType.UInt32:
                Add(MemoryMarshal.Cast<byte, uint>(bytes), contents.UintContents);
                break;
            case TensorDataType.UInt64:
                Add(MemoryMarshal.Cast<byte, ulong>(bytes), contents.Uint64Contents);
                break;
            case TensorDataType.Fp32:
                Add(MemoryMarshal.Cast<byte, float>(bytes), contents.Fp32Contents);
                break;
            case TensorDataType.Fp64:
                Add(MemoryMarshal.Cast<byte, double>(bytes), contents.Fp64Contents);
                break;
        }
        return contents;
    }

    private static void Add<T>(ReadOnlySpan<T> values, RepeatedField<T> target)
    {
        target.Capacity = values.Length;
        foreach (var value in values)
        {
            target.Add(value);
        }
    }

    private static void Widen<T>(ReadOnlySpan<T> values, RepeatedField<int> target)
        where T : struct, System.Numerics.IBinaryInteger<T>
    {
        target.Capacity = values.Length;
        foreach (var value in values)
        {
            target.Add(int.CreateTruncating(value));
        }
    }

    private static void Widen<T>(ReadOnlySpan<T> values, RepeatedField<uint> target)
        where T : struct, System.Numerics.IBinaryInteger<T>
    {
        target.Capacity = values.Length;
        foreach (var value in values)
        {
            target.Add(uint.CreateTruncating(value));
        }
    }
}
