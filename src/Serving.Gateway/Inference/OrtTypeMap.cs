using Microsoft.ML.OnnxRuntime.Tensors;
using Serving.Core.Protocol;

namespace Serving.Gateway.Inference;

/// <summary>Maps between ONNX Runtime element types and protocol datatypes.</summary>
internal static class OrtTypeMap
{
    public static TensorDataType ToProtocol(TensorElementType type) => type switch
    {
        TensorElementType.Bool => TensorDataType.Bool,
        TensorElementType.UInt8 => TensorDataType.UInt8,
        TensorElementType.UInt16 => TensorDataType.UInt16,
        TensorElementType.UInt32 => TensorDataType.UInt32,
        TensorElementType.UInt64 => TensorDataType.UInt64,
        TensorElementType.Int8 => TensorDataType.Int8,
        TensorElementType.Int16 => TensorDataType.Int16,
        TensorElementType.Int32 => TensorDataType.Int32,
        TensorElementType.Int64 => TensorDataType.Int64,
        TensorElementType.Float16 => TensorDataType.Fp16,
        TensorElementType.Float => TensorDataType.Fp32,
        TensorElementType.Double => TensorDataType.Fp64,
        _ => TensorDataType.Unknown,
    };

    public static TensorElementType ToOrt(TensorDataType type) => type switch
    {
        TensorDataType.Bool => TensorElementType.Bool,
        TensorDataType.UInt8 => TensorElementType.UInt8,
        TensorDataType.UInt16 => TensorElementType.UInt16,
        TensorDataType.UInt32 => TensorElementType.UInt32,
        TensorDataType.UInt64 => TensorElementType.UInt64,
        TensorDataType.Int8 => TensorElementType.Int8,
        TensorDataType.Int16 => TensorElementType.Int16,
        TensorDataType.Int32 => TensorElementType.Int32,
        TensorDataType.Int64 => TensorElementType.Int64,
        TensorDataType.Fp16 => TensorElementType.Float16,
        TensorDataType.Fp32 => TensorElementType.Float,
        TensorDataType.Fp64 => TensorElementType.Double,
        _ => TensorElementType.DataTypeMax,
    };
}
