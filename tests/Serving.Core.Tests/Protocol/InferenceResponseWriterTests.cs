using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Serving.Core.Protocol;
using Serving.Core.Tests.Common;
using static Serving.Core.Tests.Protocol.InferenceRequestParserTests;

namespace Serving.Core.Tests.Protocol;

public sealed class InferenceResponseWriterTests
{
    private const string RankerInputs = "\"inputs\":" + """[{"name":"query","datatype":"FP32","shape":[2,4],"data":[1,2,3,4,5,6,7,8]},{"name":"doc_ids","datatype":"INT64","shape":[2,3],"data":[1,2,3,4,5,6]}]""";

    private static readonly float[] Scores = [0.5f, -1.25f];
    private static readonly long[] TopIds = [9007199254740993, -3];

    [Fact]
    public void Write_JsonOutputs_NameDatatypeShapeAndExactData()
    {
        var (request, result) = RankerCall("""{"id":"req-1",""" + RankerInputs + "}");
        var buffer = new ArrayBufferWriter<byte>();

        var jsonLength = Write(buffer, request, result);

        Assert.Equal(-1, jsonLength);
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        var root = doc.RootElement;
        Assert.Equal("ranker", root.GetProperty("model_name").GetString());
        Assert.Equal("3", root.GetProperty("model_version").GetString());
        Assert.Equal("req-1", root.GetProperty("id").GetString());
        var outputs = root.GetProperty("outputs");
        Assert.Equal(2, outputs.GetArrayLength());
        var score = outputs[0];
        Assert.Equal("score", score.GetProperty("name").GetString());
        Assert.Equal("FP32", score.GetProperty("datatype").GetString());
        Assert.Equal([2L, 1L], score.GetProperty("shape").EnumerateArray().Select(static e => e.GetInt64()));
        Assert.Equal(Scores, score.GetProperty("data").EnumerateArray().Select(static e => e.GetSingle()));
        var topId = outputs[1];
        Assert.Equal("top_id", topId.GetProperty("name").GetString());
        Assert.Equal("INT64", topId.GetProperty("datatype").GetString());
        Assert.Equal(TopIds, topId.GetProperty("data").EnumerateArray().Select(static e => e.GetInt64()));
        Assert.False(score.TryGetProperty("parameters", out _));
    }

    [Fact]
    public void Write_NoId_OmitsId()
    {
        var (request, result) = RankerCall("{" + RankerInputs + "}");
        var buffer = new ArrayBufferWriter<byte>();

        Write(buffer, request, result);

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        Assert.False(doc.RootElement.TryGetProperty("id", out _));
    }

    [Fact]
    public void Write_IdWithQuotesAndNonAscii_RoundTripsThroughJson()
    {
        var (request, result) = RankerCall("""{"id":"q\"u\\o\u00e9\ud83d\ude00</script>",""" + RankerInputs + "}");
        var buffer = new ArrayBufferWriter<byte>();

        Write(buffer, request, result);

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        Assert.Equal("q\"u\\o\u00e9\U0001F600</script>", doc.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public void Write_OutputsSelected_WritesOnlyThose()
    {
        var (request, result) = RankerCall("""{"outputs":[{"name":"top_id"}],""" + RankerInputs + "}");
        var buffer = new ArrayBufferWriter<byte>();

        Write(buffer, request, result);

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        var outputs = doc.RootElement.GetProperty("outputs");
        Assert.Equal(1, outputs.GetArrayLength());
        Assert.Equal("top_id", outputs[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Write_BinaryDataOutput_JsonHeaderThenTensorBytesInOutputOrder()
    {
        var (request, result) = RankerCall("""{"parameters":{"binary_data_output":true},""" + RankerInputs + "}");
        var buffer = new ArrayBufferWriter<byte>();

        var jsonLength = Write(buffer, request, result);

        Assert.True(jsonLength > 0);
        var written = buffer.WrittenSpan;
        Assert.Equal(jsonLength + 8 + 16, written.Length);
        using var doc = JsonDocument.Parse(buffer.WrittenMemory[..jsonLength]);
        var outputs = doc.RootElement.GetProperty("outputs");
        Assert.Equal(8, outputs[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal(16, outputs[1].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.False(outputs[0].TryGetProperty("data", out _));
        Assert.False(outputs[1].TryGetProperty("data", out _));
        Assert.Equal(Scores, MemoryMarshal.Cast<byte, float>(written.Slice(jsonLength, 8)).ToArray());
        Assert.Equal(TopIds, MemoryMarshal.Cast<byte, long>(written.Slice(jsonLength + 8, 16)).ToArray());
    }

    [Fact]
    public void Write_OneOutputBinary_OtherInJsonAndOnlyBinaryBytesAfterTheHeader()
    {
        var (request, result) = RankerCall("""{"outputs":[{"name":"top_id","parameters":{"binary_data":true}},{"name":"score","parameters":{"binary_data":false}}],""" + RankerInputs + "}");
        var buffer = new ArrayBufferWriter<byte>();

        var jsonLength = Write(buffer, request, result);

        Assert.Equal(jsonLength + 16, buffer.WrittenCount);
        using var doc = JsonDocument.Parse(buffer.WrittenMemory[..jsonLength]);
        var outputs = doc.RootElement.GetProperty("outputs");
        Assert.Equal("score", outputs[0].GetProperty("name").GetString());
        Assert.Equal(Scores, outputs[0].GetProperty("data").EnumerateArray().Select(static e => e.GetSingle()));
        Assert.Equal(16, outputs[1].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.Equal(TopIds, MemoryMarshal.Cast<byte, long>(buffer.WrittenSpan[jsonLength..]).ToArray());
    }

    [Fact]
    public void Write_WriterReused_SecondResponseIndependentOfTheFirst()
    {
        var writer = new Utf8JsonWriter(Stream.Null);
        var (binaryRequest, binaryResult) = RankerCall("""{"parameters":{"binary_data_output":true},""" + RankerInputs + "}");
        var (jsonRequest, jsonResult) = RankerCall("{" + RankerInputs + "}");
        var first = new ArrayBufferWriter<byte>();
        var second = new ArrayBufferWriter<byte>();

        InferenceResponseWriter.Write(writer, first, "ranker"u8, "3"u8, binaryRequest, binaryResult);
        var jsonLength = InferenceResponseWriter.Write(writer, second, "ranker"u8, "3"u8, jsonRequest, jsonResult);

        Assert.Equal(-1, jsonLength);
        using var doc = JsonDocument.Parse(second.WrittenMemory);
        Assert.Equal(2, doc.RootElement.GetProperty("outputs").GetArrayLength());
    }

    public static TheoryData<string, byte[], string> EveryDatatype => new()
    {
        { "BOOL", [1, 0, 0, 1], "[true,false,false,true]" },
        { "UINT8", [0, 255, 7, 128], "[0,255,7,128]" },
        { "UINT16", Bytes<ushort>(0, 65535, 7, 32768), "[0,65535,7,32768]" },
        { "UINT32", Bytes<uint>(0, 4294967295, 7, 2147483648), "[0,4294967295,7,2147483648]" },
        { "UINT64", Bytes<ulong>(0, 18446744073709551615, 7, 9007199254740993), "[0,18446744073709551615,7,9007199254740993]" },
        { "INT8", Bytes<sbyte>(-128, 127, -1, 0), "[-128,127,-1,0]" },
        { "INT16", Bytes<short>(-32768, 32767, -1, 0), "[-32768,32767,-1,0]" },
        { "INT32", Bytes(int.MinValue, int.MaxValue, -1, 0), "[-2147483648,2147483647,-1,0]" },
        { "INT64", Bytes(long.MinValue, 9007199254740993, -1, long.MaxValue), "[-9223372036854775808,9007199254740993,-1,9223372036854775807]" },
        { "FP16", Bytes((Half)0.5, (Half)(-2.25), (Half)65504, (Half)0.0009765625), "[0.5,-2.25,65504,0.0009765625]" },
        { "FP32", Bytes(0.5f, -2.25f, 1e30f, 0.1f), "[0.5,-2.25,1E+30,0.1]" },
        { "FP64", Bytes(0.5, -2.25, 1e300, 0.1), "[0.5,-2.25,1E+300,0.1]" },
    };

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void Write_EveryDatatype_JsonDataIsTheExactValues(string datatype, byte[] bytes, string expectedData)
    {
        var type = TensorDataTypes.Parse(Encoding.UTF8.GetBytes(datatype));
        var request = Bind(Signatures.Single(type));
        Assert.Null(Parse(request, $$"""{"inputs":[{"name":"in","datatype":"{{datatype}}","shape":[2,2],"data":{{expectedData.Replace("E+", "e", StringComparison.Ordinal)}}}]}"""));
        var result = new InferenceResult();
        result.Bind(1);
        bytes.CopyTo(result.Output(0).Allocate(type, TensorShape.From([2, 2]), bytes.Length));
        var buffer = new ArrayBufferWriter<byte>();

        Write(buffer, request, result);

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        var output = doc.RootElement.GetProperty("outputs")[0];
        Assert.Equal(datatype, output.GetProperty("datatype").GetString());
        // Compare the raw JSON text: a value that went through double on its way out would differ here.
        Assert.Equal(expectedData, output.GetProperty("data").GetRawText());
    }

    public static TheoryData<string, byte[]> NonFinite => new()
    {
        { "FP32", Bytes(float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1.5f) },
        { "FP64", Bytes(double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1.5) },
        { "FP16", Bytes(Half.PositiveInfinity, Half.NegativeInfinity, Half.NaN, (Half)1.5) },
    };

    [Theory]
    [MemberData(nameof(NonFinite))]
    public void Write_NonFiniteFloats_NamedLiteralsInJson(string datatype, byte[] bytes)
    {
        var type = TensorDataTypes.Parse(Encoding.UTF8.GetBytes(datatype));
        var request = Bind(Signatures.Single(type));
        Assert.Null(Parse(request, $$"""{"inputs":[{"name":"in","datatype":"{{datatype}}","shape":[2,2],"data":[1,2,3,4]}]}"""));
        var result = new InferenceResult();
        result.Bind(1);
        bytes.CopyTo(result.Output(0).Allocate(type, TensorShape.From([2, 2]), bytes.Length));
        var buffer = new ArrayBufferWriter<byte>();

        Write(buffer, request, result);

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        Assert.Equal("""["Infinity","-Infinity","NaN",1.5]""", doc.RootElement.GetProperty("outputs")[0].GetProperty("data").GetRawText());
    }

    [Fact]
    public void Write_NonFiniteFloatAsBinary_BytesUnchanged()
    {
        var request = Bind(Signatures.Single(TensorDataType.Fp32));
        Assert.Null(Parse(request, """{"parameters":{"binary_data_output":true},"inputs":[{"name":"in","datatype":"FP32","shape":[1,2],"data":[1,2]}]}"""));
        var result = new InferenceResult();
        result.Bind(1);
        var bytes = Bytes(float.NaN, float.NegativeInfinity);
        bytes.CopyTo(result.Output(0).Allocate(TensorDataType.Fp32, TensorShape.From([1, 2]), bytes.Length));
        var buffer = new ArrayBufferWriter<byte>();

        var jsonLength = Write(buffer, request, result);

        Assert.Equal(bytes, buffer.WrittenSpan[jsonLength..].ToArray());
    }

    [Fact]
    public void Release_AfterWrite_ReturnsOutputBuffers()
    {
        var (_, result) = RankerCall("{" + RankerInputs + "}");
        var score = result.Output(0);

        result.Release();

        Assert.Equal(0, result.Outputs.Length);
        Assert.True(score.Bytes.IsEmpty);
        Assert.Null(score.Data.Array);
    }

    private static int Write(ArrayBufferWriter<byte> buffer, InferenceRequest request, InferenceResult result) =>
        InferenceResponseWriter.Write(new Utf8JsonWriter(Stream.Null), buffer, "ranker"u8, "3"u8, request, result);

    private static (InferenceRequest Request, InferenceResult Result) RankerCall(string json)
    {
        var request = Bind(Signatures.Ranker);
        Assert.Null(Parse(request, json));
        var result = new InferenceResult();
        result.Bind(2);
        var scores = MemoryMarshal.AsBytes(Scores.AsSpan());
        scores.CopyTo(result.Output(0).Allocate(TensorDataType.Fp32, TensorShape.From([2, 1]), scores.Length));
        var ids = MemoryMarshal.AsBytes(TopIds.AsSpan());
        ids.CopyTo(result.Output(1).Allocate(TensorDataType.Int64, TensorShape.From([2, 1]), ids.Length));
        return (request, result);
    }
}
