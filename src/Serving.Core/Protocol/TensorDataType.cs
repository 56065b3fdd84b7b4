namespace Serving.Core.Protocol;

/// <summary>The tensor element types of the Open Inference Protocol that the gateway serves.</summary>
public enum TensorDataType : byte
{
    /// <summary>Not a known datatype.</summary>
    Unknown = 0,
    /// <summary>BOOL: one byte, 0 or 1.</summary>
    Bool,
    /// <summary>UINT8.</summary>
    UInt8,
    /// <summary>UINT16.</summary>
    UInt16,
    /// <summary>UINT32.</summary>
    UInt32,
    /// <summary>UINT64.</summary>
    UInt64,
    /// <summary>INT8.</summary>
    Int8,
    /// <summary>INT16.</summary>
    Int16,
    /// <summary>INT32.</summary>
    Int32,
    /// <summary>INT64.</summary>
    Int64,
    /// <summary>FP16: IEEE half precision.</summary>
    Fp16,
    /// <summary>FP32.</summary>
    Fp32,
    /// <summary>FP64.</summary>
    Fp64,
}
