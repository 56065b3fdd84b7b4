using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Serving.Core.Protocol;
using Serving.Core.Tests.Common;

namespace Serving.Core.Tests.Protocol;

public sealed class InferenceRequestParserTests
{
    private const string Row12 = "[1.5,2,3,4,5,6,7,8,9,10,11,-12.25]";

    private static readonly float[] Row12Values = [1.5f, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -12.25f];

    [Fact]
    public void Parse_FlatData_WritesFloatsRowMajor()
    {
        var request = Bind(Signatures.CreditRisk);
        var error = Parse(request, $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[2,12],"data":[{{Row12[1..^1]}},{{Row12[1..^1]}}]}]}""");

        Assert.Null(error);
        var input = request.Inputs[0];
        Assert.True(input.Present);
        Assert.Equal([2L, 12L], input.Shape.AsSpan().ToArray());
        Assert.Equal(2, request.BatchSize);
        Assert.Equal(-1, input.BinaryDataSize);
        Assert.Equal([.. Row12Values, .. Row12Values], MemoryMarshal.Cast<byte, float>(input.Bytes).ToArray());
    }

    [Fact]
    public void Parse_NestedData_SameBytesAsFlat()
    {
        var flat = Bind(Signatures.CreditRisk);
        var nested = Bind(Signatures.CreditRisk);

        Assert.Null(Parse(flat, $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[2,12],"data":[{{Row12[1..^1]}},{{Row12[1..^1]}}]}]}"""));
        Assert.Null(Parse(nested, $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[2,12],"data":[{{Row12}},{{Row12}}]}]}"""));

        Assert.Equal(flat.Inputs[0].Bytes.ToArray(), nested.Inputs[0].Bytes.ToArray());
    }

    public static TheoryData<string, string, byte[]> EveryDatatype => new()
    {
        { "BOOL", "[[true,false],[false,true]]", [1, 0, 0, 1] },
        { "UINT8", "[0,255,7,128]", [0, 255, 7, 128] },
        { "UINT16", "[0,65535,7,32768]", Bytes<ushort>(0, 65535, 7, 32768) },
        { "UINT32", "[0,4294967295,7,2147483648]", Bytes<uint>(0, 4294967295, 7, 2147483648) },
        { "UINT64", "[0,18446744073709551615,7,9007199254740993]", Bytes<ulong>(0, 18446744073709551615, 7, 9007199254740993) },
        { "INT8", "[-128,127,-1,0]", Bytes<sbyte>(-128, 127, -1, 0) },
        { "INT16", "[-32768,32767,-1,0]", Bytes<short>(-32768, 32767, -1, 0) },
        { "INT32", "[-2147483648,2147483647,-1,0]", Bytes(-2147483648, 2147483647, -1, 0) },
        { "INT64", "[-9223372036854775808,9007199254740993,-1,9223372036854775807]", Bytes(long.MinValue, 9007199254740993, -1, long.MaxValue) },
        { "FP16", "[0.5,-2.25,65504,0.0009765625]", Bytes((Half)0.5, (Half)(-2.25), (Half)65504, (Half)0.0009765625) },
        { "FP32", "[0.5,-2.25,1e30,0.1]", Bytes(0.5f, -2.25f, 1e30f, 0.1f) },
        { "FP64", "[0.5,-2.25,1e300,0.1]", Bytes(0.5, -2.25, 1e300, 0.1) },
    };

    [Theory]
    [MemberData(nameof(EveryDatatype))]
    public void Parse_EveryDatatype_WritesLittleEndianElements(string datatype, string data, byte[] expected)
    {
        var type = TensorDataTypes.Parse(Encoding.UTF8.GetBytes(datatype));
        var request = Bind(Signatures.Single(type));

        var error = Parse(request, $$"""{"inputs":[{"name":"in","datatype":"{{datatype}}","shape":[2,2],"data":{{data}}}]}""");

        Assert.Null(error);
        Assert.Equal(expected, request.Inputs[0].Bytes.ToArray());
        Assert.Equal(type, request.Inputs[0].DeclaredType);
    }

    [Theory]
    [InlineData("""{"data":ROW,"name":"features","datatype":"FP32","shape":[1,12]}""")]
    [InlineData("""{"name":"features","data":ROW,"shape":[1,12],"datatype":"FP32"}""")]
    [InlineData("""{"shape":[1,12],"data":ROW,"datatype":"FP32","name":"features"}""")]
    [InlineData("""{"data":ROW,"parameters":{"x":[1,{"y":2}]},"datatype":"FP32","shape":[1,12],"name":"features"}""")]
    public void Parse_DataBeforeNameDatatypeOrShape_DeferredParseGivesSameBytes(string inputObject)
    {
        var request = Bind(Signatures.CreditRisk);

        var error = Parse(request, """{"inputs":[""" + inputObject.Replace("ROW", Row12, StringComparison.Ordinal) + "]}");

        Assert.Null(error);
        Assert.Equal(Row12Values, MemoryMarshal.Cast<byte, float>(request.Inputs[0].Bytes).ToArray());
        Assert.Equal(1, request.BatchSize);
    }

    [Fact]
    public void Parse_DeferredDataWithWrongDatatype_ReturnsDatatypeError()
    {
        var request = Bind(Signatures.CreditRisk);

        var error = Parse(request, $$"""{"inputs":[{"data":{{Row12}},"name":"features","datatype":"FP64","shape":[1,12]}]}""");

        Assert.Contains("has datatype FP64 but the model expects FP32", error);
    }

    [Fact]
    public void Parse_EscapedInputName_MatchesTheInput()
    {
        var request = Bind(Signatures.CreditRisk);

        var error = Parse(request, $$"""{"inputs":[{"name":"fe\u0061tures","datatype":"FP\u0033\u0032","shape":[1,12],"data":{{Row12}}}]}""");

        Assert.Null(error);
        Assert.True(request.Inputs[0].Present);
    }

    [Fact]
    public void Parse_IdWithEscapes_KeepsTheUnescapedId()
    {
        var request = Bind(Signatures.CreditRisk);

        var error = Parse(request, $$"""{"id":"a\"b\\c\u00e9\n\ud83d\ude00","inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""");

        Assert.Null(error);
        Assert.True(request.HasId);
        Assert.Equal("a\"b\\c\u00e9\n\U0001F600", Encoding.UTF8.GetString(request.Id));
    }

    [Fact]
    public void Parse_IdGivenTwice_LastOneWins()
    {
        var request = Bind(Signatures.CreditRisk);

        var error = Parse(request, $$"""{"id":"first","id":"second","inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""");

        Assert.Null(error);
        Assert.Equal("second", Encoding.UTF8.GetString(request.Id));
    }

    [Fact]
    public void Parse_NoId_HasIdFalse()
    {
        var request = Bind(Signatures.CreditRisk);

        Assert.Null(Parse(request, $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}"""));

        Assert.False(request.HasId);
        Assert.True(request.Id.IsEmpty);
    }

    [Fact]
    public void Parse_OutputsSelected_OnlyThoseRequestedWithTheirBinaryFlag()
    {
        var request = Bind(Signatures.Ranker);

        var error = Parse(request, """
            {"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},
                       {"name":"doc_ids","datatype":"INT64","shape":[1,3],"data":[1,2,3]}],
             "outputs":[{"name":"top_id","parameters":{"binary_data":true}}]}
            """);

        Assert.Null(error);
        Assert.True(request.OutputsSelected);
        Assert.False(request.IsOutputRequested(0));
        Assert.True(request.IsOutputRequested(1));
        Assert.True(request.IsOutputBinary(1));
    }

    [Fact]
    public void Parse_NoOutputs_EveryOutputRequestedAsJson()
    {
        var request = Bind(Signatures.Ranker);

        Assert.Null(Parse(request, """{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"doc_ids","datatype":"INT64","shape":[1,3],"data":[1,2,3]}]}"""));

        Assert.False(request.OutputsSelected);
        Assert.True(request.IsOutputRequested(0) && request.IsOutputRequested(1));
        Assert.False(request.IsOutputBinary(0) || request.IsOutputBinary(1));
    }

    [Fact]
    public void Parse_BinaryDataOutputParameter_EveryOutputBinary()
    {
        var request = Bind(Signatures.Ranker);

        Assert.Null(Parse(request, """{"parameters":{"binary_data_output":true,"other":[1]},"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"doc_ids","datatype":"INT64","shape":[1,3],"data":[1,2,3]}]}"""));

        Assert.True(request.BinaryDataOutput);
        Assert.True(request.IsOutputBinary(0) && request.IsOutputBinary(1));
    }

    [Fact]
    public void Parse_UnknownTopLevelKeys_AreSkipped()
    {
        var request = Bind(Signatures.CreditRisk);

        Assert.Null(Parse(request, $$"""{"extra":{"a":[1,2,{"b":null}]},"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}},"ignored":"x"}],"more":true}"""));
    }

    [Fact]
    public void Parse_BinaryInputs_CopiedInTheOrderTheJsonListsThem()
    {
        var request = Bind(Signatures.Ranker);
        long[] ids = [5, -7, 9007199254740993, 1, 2, 3];
        float[] query = [0.5f, 1, 2, 3, 4, 5, 6, 7.25f];
        // doc_ids first in the JSON although it is the model's second input: its bytes come first.
        var (body, headerLength) = BinaryBody(
            """{"inputs":[{"name":"doc_ids","datatype":"INT64","shape":[2,3],"parameters":{"binary_data_size":48}},{"name":"query","datatype":"FP32","shape":[2,4],"parameters":{"binary_data_size":32}}]}""",
            Bytes(ids), Bytes(query));

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), headerLength, request);

        Assert.Null(error);
        Assert.Equal(query, MemoryMarshal.Cast<byte, float>(request.Inputs[0].Bytes).ToArray());
        Assert.Equal(ids, MemoryMarshal.Cast<byte, long>(request.Inputs[1].Bytes).ToArray());
        Assert.Equal(48, request.Inputs[1].BinaryDataSize);
        Assert.Equal(2, request.BatchSize);
    }

    [Fact]
    public void Parse_OneBinaryAndOneJsonInput_BothFilled()
    {
        var request = Bind(Signatures.Ranker);
        long[] ids = [1, 2, 3];
        var (body, headerLength) = BinaryBody(
            """{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"doc_ids","datatype":"INT64","shape":[1,3],"parameters":{"binary_data_size":24}}]}""",
            Bytes(ids));

        Assert.Null(InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), headerLength, request));

        Assert.Equal([1f, 2, 3, 4], MemoryMarshal.Cast<byte, float>(request.Inputs[0].Bytes).ToArray());
        Assert.Equal(ids, MemoryMarshal.Cast<byte, long>(request.Inputs[1].Bytes).ToArray());
    }

    [Fact]
    public void Parse_RawBody_OneInputWithRowsFromTheLength()
    {
        var request = Bind(Signatures.CreditRisk);
        var body = Bytes([.. Row12Values, .. Row12Values, .. Row12Values]);

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), 0, request);

        Assert.Null(error);
        Assert.Equal([3L, 12L], request.Inputs[0].Shape.AsSpan().ToArray());
        Assert.Equal(3, request.BatchSize);
        Assert.Equal(body, request.Inputs[0].Bytes.ToArray());
        Assert.False(request.HasId);
        Assert.False(request.OutputsSelected);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void Parse_JsonSplitIntoSegments_SameResultAsContiguous(int segmentSize)
    {
        var json = Encoding.UTF8.GetBytes("""{"id":"r\u00e9q\"1","outputs":[{"name":"sc\u006fre","parameters":{"binary_data":true}}],"inputs":[{"data":[[0.125,-2.5,3e2,4]],"name":"query","datatype":"FP32","shape":[1,4]},{"name":"doc_\u0069ds","datatype":"INT\u00364","shape":[1,3],"data":[[9007199254740993,-9223372036854775808,12345678901234]]}]}""");
        var contiguous = Bind(Signatures.Ranker);
        var segmented = Bind(Signatures.Ranker);

        Assert.Null(InferenceRequestParser.Parse(new ReadOnlySequence<byte>(json), -1, contiguous));
        Assert.Null(InferenceRequestParser.Parse(SegmentedSequence.Create(json, segmentSize), -1, segmented));

        AssertSameRequest(contiguous, segmented);
        Assert.Equal([0.125f, -2.5f, 300f, 4f], MemoryMarshal.Cast<byte, float>(segmented.Inputs[0].Bytes).ToArray());
        Assert.Equal([9007199254740993L, long.MinValue, 12345678901234L], MemoryMarshal.Cast<byte, long>(segmented.Inputs[1].Bytes).ToArray());
        Assert.Equal("réq\"1", Encoding.UTF8.GetString(segmented.Id));
        Assert.True(segmented.IsOutputBinary(0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(13)]
    public void Parse_BinaryBodySplitIntoSegments_SameResultAsContiguous(int segmentSize)
    {
        long[] ids = [5, -7, 9007199254740993];
        float[] query = [0.5f, 1, 2, 3];
        var (body, headerLength) = BinaryBody(
            """{"inputs":[{"name":"doc_ids","datatype":"INT64","shape":[1,3],"parameters":{"binary_data_size":24}},{"name":"query","datatype":"FP32","shape":[1,4],"parameters":{"binary_data_size":16}}]}""",
            Bytes(ids), Bytes(query));
        var contiguous = Bind(Signatures.Ranker);
        var segmented = Bind(Signatures.Ranker);

        Assert.Null(InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), headerLength, contiguous));
        Assert.Null(InferenceRequestParser.Parse(SegmentedSequence.Create(body, segmentSize), headerLength, segmented));

        AssertSameRequest(contiguous, segmented);
        Assert.Equal(ids, MemoryMarshal.Cast<byte, long>(segmented.Inputs[1].Bytes).ToArray());
    }

    [Fact]
    public void Parse_RawBodySplitIntoSegments_SameBytes()
    {
        var body = Bytes([.. Row12Values, .. Row12Values]);
        var request = Bind(Signatures.CreditRisk);

        Assert.Null(InferenceRequestParser.Parse(SegmentedSequence.Create(body, 5), 0, request));

        Assert.Equal(body, request.Inputs[0].Bytes.ToArray());
        Assert.Equal(2, request.BatchSize);
    }

    [Fact]
    public void Parse_RequestReboundAfterRelease_NothingLeftFromThePreviousRequest()
    {
        var request = Bind(Signatures.Ranker);
        Assert.Null(Parse(request, """{"id":"first","outputs":[{"name":"score"}],"parameters":{"binary_data_output":true},"inputs":[{"name":"query","datatype":"FP32","shape":[2,4],"data":[1,2,3,4,5,6,7,8]},{"name":"doc_ids","datatype":"INT64","shape":[2,3],"data":[1,2,3,4,5,6]}]}"""));
        request.Release();

        request.Bind(Signatures.Ranker);
        var error = Parse(request, """{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[9,9,9,9]}]}""");

        Assert.Contains("Missing input 'doc_ids'", error);
        Assert.False(request.HasId);
        Assert.False(request.OutputsSelected);
        Assert.False(request.BinaryDataOutput);
        Assert.Equal([9f, 9, 9, 9], MemoryMarshal.Cast<byte, float>(request.Inputs[0].Bytes).ToArray());
    }

    [Fact]
    public void Release_AfterSuccessfulParse_ReturnsEveryBuffer()
    {
        var request = Bind(Signatures.Ranker);
        Assert.Null(Parse(request, """{"id":"x","inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"doc_ids","datatype":"INT64","shape":[1,3],"data":[1,2,3]}]}"""));
        var query = request.Input(0);
        var ids = request.Input(1);
        Assert.NotNull(query.Array);
        Assert.NotNull(ids.Array);

        request.Release();

        Assert.Null(query.Array);
        Assert.Null(ids.Array);
        Assert.True(query.Bytes.IsEmpty);
        Assert.True(request.Id.IsEmpty);
        Assert.Null(request.Signature);
    }

    [Theory]
    [InlineData("""{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"doc_ids","datatype":"INT64","shape":[1,3],"data":[1,2]}]}""")]
    [InlineData("""{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"doc_ids","datatype":"INT64","shape":[1,3],"data":[1,2,"x"]}]}""")]
    [InlineData("""{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"doc_ids","datatype":"INT64","shape":[1,3],"data":[1,2,3]}]} trailing""")]
    [InlineData("""{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}""")]
    public void Release_AfterParseError_ReturnsEveryBuffer(string json)
    {
        var request = Bind(Signatures.Ranker);
        Assert.NotNull(Parse(request, json));
        var query = request.Input(0);
        var ids = request.Input(1);
        Assert.NotNull(query.Array);

        request.Release();

        Assert.Null(query.Array);
        Assert.Null(ids.Array);
    }

    private static void AssertSameRequest(InferenceRequest expected, InferenceRequest actual)
    {
        Assert.Equal(expected.BatchSize, actual.BatchSize);
        Assert.Equal(expected.HasId, actual.HasId);
        Assert.Equal(expected.Id.ToArray(), actual.Id.ToArray());
        Assert.Equal(expected.OutputsSelected, actual.OutputsSelected);
        for (var i = 0; i < expected.Inputs.Length; i++)
        {
            Assert.Equal(expected.Inputs[i].Shape.AsSpan().ToArray(), actual.Inputs[i].Shape.AsSpan().ToArray());
            Assert.Equal(expected.Inputs[i].Bytes.ToArray(), actual.Inputs[i].Bytes.ToArray());
            Assert.Equal(expected.Inputs[i].BinaryDataSize, actual.Inputs[i].BinaryDataSize);
        }
        for (var i = 0; i < expected.Signature!.Outputs.Count; i++)
        {
            Assert.Equal(expected.IsOutputRequested(i), actual.IsOutputRequested(i));
            Assert.Equal(expected.IsOutputBinary(i), actual.IsOutputBinary(i));
        }
    }

    internal static InferenceRequest Bind(ModelSignature signature)
    {
        var request = new InferenceRequest();
        request.Bind(signature);
        return request;
    }

    internal static string? Parse(InferenceRequest request, string json) =>
        InferenceRequestParser.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), -1, request);

    internal static (byte[] Body, long HeaderLength) BinaryBody(string json, params byte[][] tensors)
    {
        var header = Encoding.UTF8.GetBytes(json);
        byte[] body = [.. header, .. tensors.SelectMany(static t => t)];
        return (body, header.Length);
    }

    internal static byte[] Bytes<T>(params T[] values) where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
