using Serving.Core.Protocol;

namespace Serving.Gateway.PayloadLog;

/// <summary>One tensor of a logged request or response: its name, type and shape, and a copy of its raw little-endian data (null when the record was truncated).</summary>
internal sealed record PayloadTensor(string Name, TensorDataType DataType, long[] Shape, byte[]? Data);
