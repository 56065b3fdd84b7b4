using System.Text;
using Serving.Core.Protocol;

namespace Serving.Core.Tests.Protocol;

/// <summary>The protocol names of the tensor types, as strings and as UTF-8, against the KServe v2 spelling.</summary>
public sealed class TensorDataTypesTests
{
    [Theory]
    [InlineData(TensorDataType.Bool, "BOOL")]
    [InlineData(TensorDataType.UInt8, "UINT8")]
    [InlineData(TensorDataType.UInt16, "UINT16")]
    [InlineData(TensorDataType.UInt32, "UINT32")]
    [InlineData(TensorDataType.UInt64, "UINT64")]
    [InlineData(TensorDataType.Int8, "INT8")]
    [InlineData(TensorDataType.Int16, "INT16")]
    [InlineData(TensorDataType.Int32, "INT32")]
    [InlineData(TensorDataType.Int64, "INT64")]
    [InlineData(TensorDataType.Fp16, "FP16")]
    [InlineData(TensorDataType.Fp32, "FP32")]
    [InlineData(TensorDataType.Fp64, "FP64")]
    public void Name_and_utf8_name_are_the_protocol_spelling_and_parse_back(TensorDataType type, string expected)
    {
        Assert.Equal(expected, TensorDataTypes.Name(type));
        Assert.Equal(expected, Encoding.UTF8.GetString(TensorDataTypes.Utf8Name(type)));
        Assert.Equal(type, TensorDataTypes.Parse(Encoding.UTF8.GetBytes(expected)));
    }

    [Theory]
    [InlineData(TensorDataType.Unknown)]
    [InlineData((TensorDataType)200)]
    public void A_type_outside_the_protocol_is_named_unknown(TensorDataType type)
    {
        Assert.Equal("UNKNOWN", TensorDataTypes.Name(type));
        Assert.Equal("UNKNOWN", Encoding.UTF8.GetString(TensorDataTypes.Utf8Name(type)));
    }
}
