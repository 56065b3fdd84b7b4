using System.Buffers;
using System.Text;
using Serving.Core.Protocol;
using Serving.Core.Tests.Common;
using static Serving.Core.Tests.Protocol.InferenceRequestParserTests;

namespace Serving.Core.Tests.Protocol;

public sealed class InferenceRequestParserErrorTests
{
    private const string Row12 = "[1,2,3,4,5,6,7,8,9,10,11,12]";
    private const string Valid = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,12]}]}""";

    public static TheoryData<string, string> CreditRiskErrors => new()
    {
        { """{"inputs":[{"name":"features",""", "Malformed JSON" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,12]}]""", "Malformed JSON" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,12,]}]}""", "Malformed JSON" },
        { Valid + " garbage", "Malformed JSON" },
        { Valid + " {}", "Malformed JSON" },
        { Valid + "}", "Malformed JSON" },
        { "", "Malformed JSON" },
        { "[]", "must be a JSON object" },
        { "\"inputs\"", "must be a JSON object" },
        { """{"id":"x"}""", "has no 'inputs'" },
        { """{"inputs":{}}""", "'inputs' must be an array" },
        { """{"inputs":[1]}""", "must be an object" },
        { """{"inputs":[]}""", "Missing input 'features'" },
        { """{"inputs":[{"name":"feature","datatype":"FP32","shape":[1,12],"data":[1]}]}""", "Unknown input 'feature'; the model's inputs are: 'features'" },
        { """{"inputs":[{"name":"Features","datatype":"FP32","shape":[1,12],"data":[1]}]}""", "Unknown input 'Features'" },
        { """{"inputs":[{"name":7,"datatype":"FP32","shape":[1,12],"data":[1]}]}""", "'name' must be a string" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}},{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "Input 'features' appears more than once" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP64","shape":[1,12],"data":{{Row12}}}]}""", "Input 'features' has datatype FP64 but the model expects FP32" },
        { $$"""{"inputs":[{"name":"features","datatype":"INT32","shape":[1,12],"data":{{Row12}}}]}""", "has datatype INT32 but the model expects FP32" },
        { $$"""{"inputs":[{"name":"features","datatype":"FLOAT","shape":[1,12],"data":{{Row12}}}]}""", "Unknown datatype 'FLOAT'" },
        { $$"""{"inputs":[{"name":"features","datatype":"fp32","shape":[1,12],"data":{{Row12}}}]}""", "Unknown datatype 'fp32'" },
        { $$"""{"inputs":[{"name":"features","datatype":32,"shape":[1,12],"data":{{Row12}}}]}""", "'datatype' must be a string" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,"12"]}]}""", "Input 'features' has non-numeric data (String)" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,null]}]}""", "Input 'features' has non-numeric data (Null)" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,true]}]}""", "Input 'features' has non-numeric data (true/false) for datatype FP32" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,{}]}]}""", "Input 'features' has non-numeric data (StartObject)" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,1e39]}]}""", "not a valid FP32" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,1e400]}]}""", "not a valid FP32" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":12}]}""", "'data' must be an array" },
        { """{"inputs":[{"data":12,"name":"features","datatype":"FP32","shape":[1,12]}]}""", "'data' must be an array" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}]}""", "nested more than 16 levels" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11]}]}""", "Input 'features' has 11 values but shape [1, 12] needs 12" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[2,12],"data":{{Row12}}}]}""", "Input 'features' has 12 values but shape [2, 12] needs 24" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,12,13]}]}""", "has 13 values but shape [1, 12] needs 12" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[-1,12],"data":{{Row12}}}]}""", "negative dimension (-1)" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,-12],"data":{{Row12}}}]}""", "negative dimension (-12)" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,1,1,1,1,1,1,1,12],"data":{{Row12}}}]}""", "more than 8 dimensions" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,1.5],"data":{{Row12}}}]}""", "'shape' must be an array of integers" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":"1,12","data":{{Row12}}}]}""", "'shape' must be an array of integers" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[12],"data":{{Row12}}}]}""", "Input 'features' has shape [12] but the model expects [-1, 12]" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,1,12],"data":{{Row12}}}]}""", "has shape [1, 1, 12] but the model expects [-1, 12]" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[2,6],"data":{{Row12}}}]}""", "has shape [2, 6] but the model expects [-1, 12]" },
        { $$"""{"inputs":[{"datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "An input has no 'name'" },
        { $$"""{"inputs":[{"name":"features","shape":[1,12],"data":{{Row12}}}]}""", "Input 'features' has no 'datatype'" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","data":{{Row12}}}]}""", "Input 'features' has no 'shape'" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12]}]}""", "has no 'data' and no 'binary_data_size'" },
        { $$$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{{Row12}}},"parameters":{"binary_data_size":48}}]}""", "has both 'data' and 'binary_data_size'" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"parameters":{"binary_data_size":-4}}]}""", "'binary_data_size' must be a non-negative integer" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"parameters":{"binary_data_size":48}}]}""", "no Inference-Header-Content-Length header" },
        { $$"""{"id":5,"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "'id' must be a string" },
        { $$"""{"outputs":[{"name":"prob"}],"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "Unknown output 'prob'; the model's outputs are: 'probability'" },
        { $$$"""{"outputs":[{"parameters":{"binary_data":true}}],"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{{Row12}}}}]}""", "A requested output has no 'name'" },
        { $$$"""{"outputs":[{"name":"probability","parameters":{"binary_data":1}}],"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{{Row12}}}}]}""", "'binary_data' must be true or false" },
        { $$"""{"parameters":{"binary_data_output":"yes"},"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "'binary_data_output' must be true or false" },
    };

    [Theory]
    [MemberData(nameof(CreditRiskErrors))]
    public void Parse_InvalidCreditRiskRequest_ReturnsError(string json, string expected)
    {
        var request = Bind(Signatures.CreditRisk);

        var error = Parse(request, json);

        Assert.NotNull(error);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        request.Release();
    }

    public static TheoryData<string, string, string> DatatypeErrors => new()
    {
        { "UINT8", "[0,1,2,300]", "Input 'in' has a value that is not a valid UINT8: 300" },
        { "UINT8", "[0,1,2,-1]", "not a valid UINT8: -1" },
        { "UINT8", "[0,1,2,1.5]", "not a valid UINT8: 1.5" },
        { "UINT16", "[0,1,2,65536]", "not a valid UINT16: 65536" },
        { "UINT32", "[0,1,2,4294967296]", "not a valid UINT32: 4294967296" },
        { "UINT64", "[0,1,2,18446744073709551616]", "not a valid UINT64: 18446744073709551616" },
        { "UINT64", "[0,1,2,-1]", "not a valid UINT64: -1" },
        { "INT8", "[0,1,2,128]", "not a valid INT8: 128" },
        { "INT8", "[0,1,2,-129]", "not a valid INT8: -129" },
        { "INT16", "[0,1,2,32768]", "not a valid INT16: 32768" },
        { "INT32", "[0,1,2,2147483648]", "not a valid INT32: 2147483648" },
        { "INT32", "[0,1,2,0.5]", "not a valid INT32: 0.5" },
        { "INT64", "[0,1,2,9223372036854775808]", "not a valid INT64: 9223372036854775808" },
        { "INT64", "[0,1,2,1e400]", "not a valid INT64: 1e400" },
        { "FP16", "[0,1,2,1e400]", "not a valid FP16" },
        { "FP16", "[0,1,2,70000]", "not a valid FP16: 70000" },
        { "FP16", "[0,1,2,-65520]", "not a valid FP16: -65520" },
        { "FP64", "[0,1,2,1e400]", "not a valid FP64: 1e400" },
        { "FP64", "[0,1,2,-1e400]", "not a valid FP64: -1e400" },
        { "BOOL", "[true,false,true,1]", "Input 'in' is BOOL: its data must be true or false" },
        { "BOOL", "[true,false,true,\"true\"]", "Input 'in' has non-numeric data (String)" },
        { "INT32", "[0,1,2,false]", "non-numeric data (true/false) for datatype INT32" },
    };

    [Theory]
    [MemberData(nameof(DatatypeErrors))]
    public void Parse_ValueOutsideItsDatatype_ReturnsError(string datatype, string data, string expected)
    {
        var type = TensorDataTypes.Parse(Encoding.UTF8.GetBytes(datatype));
        var request = Bind(Signatures.Single(type));

        var error = Parse(request, $$"""{"inputs":[{"name":"in","datatype":"{{datatype}}","shape":[2,2],"data":{{data}}}]}""");

        Assert.NotNull(error);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingSecondInput_NamesIt()
    {
        var request = Bind(Signatures.Ranker);

        var error = Parse(request, """{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}""");

        Assert.Equal("Missing input 'doc_ids'; the model's inputs are: 'query', 'doc_ids'.", error);
    }

    [Fact]
    public void Parse_InputsDisagreeOnBatch_ReturnsError()
    {
        var request = Bind(Signatures.Ranker);

        var error = Parse(request, """{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"doc_ids","datatype":"INT64","shape":[2,3],"data":[1,2,3,4,5,6]}]}""");

        Assert.Contains("Inputs disagree on the batch dimension (1 and 2)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BatchTwoOnFixedBatchSignature_ReturnsFixedBatchError()
    {
        var request = Bind(Signatures.Fixed);

        var error = Parse(request, """{"inputs":[{"name":"x","datatype":"FP32","shape":[2,5],"data":[1,2,3,4,5,1,2,3,4,5]}]}""");

        Assert.Equal("Input 'x' has batch size 2 but the model has a fixed batch size of 1.", error);
    }

    [Fact]
    public void Parse_BatchOneOnFixedBatchSignature_Succeeds()
    {
        var request = Bind(Signatures.Fixed);

        Assert.Null(Parse(request, """{"inputs":[{"name":"x","datatype":"FP32","shape":[1,5],"data":[1,2,3,4,5]}]}"""));
        Assert.Equal(1, request.BatchSize);
    }

    [Fact]
    public void Parse_BinarySizeDisagreesWithShape_ReturnsError()
    {
        var request = Bind(Signatures.CreditRisk);
        var (body, headerLength) = BinaryBody("""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"parameters":{"binary_data_size":44}}]}""", new byte[44]);

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), headerLength, request);

        Assert.Equal("Input 'features' has binary_data_size 44 but shape [1, 12] of FP32 needs 48 bytes.", error);
    }

    [Fact]
    public void Parse_BinaryRunsPastTheBody_ReturnsError()
    {
        var request = Bind(Signatures.CreditRisk);
        var (body, headerLength) = BinaryBody("""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"parameters":{"binary_data_size":48}}]}""", new byte[40]);

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), headerLength, request);

        Assert.Contains("runs past the end of the body (40 bytes after the JSON header)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BytesLeftAfterTheBinaryInputs_ReturnsError()
    {
        var request = Bind(Signatures.CreditRisk);
        var (body, headerLength) = BinaryBody("""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"parameters":{"binary_data_size":48}}]}""", new byte[52]);

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), headerLength, request);

        Assert.Contains("4 bytes after the JSON header that no input's binary_data_size accounts for", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HeaderLengthPastTheBody_ReturnsError()
    {
        var request = Bind(Signatures.CreditRisk);
        var body = Encoding.UTF8.GetBytes(Valid);

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), body.Length + 1, request);

        Assert.Equal($"Inference-Header-Content-Length ({body.Length + 1}) is larger than the request body ({body.Length} bytes).", error);
    }

    [Fact]
    public void Parse_HeaderLengthCutsTheJsonShort_ReturnsMalformedJson()
    {
        var request = Bind(Signatures.CreditRisk);
        var body = Encoding.UTF8.GetBytes(Valid);

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), body.Length - 5, request);

        Assert.StartsWith("Malformed JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonBodyWithHeaderLengthAndNoBinaryInputs_Succeeds()
    {
        var request = Bind(Signatures.CreditRisk);
        var body = Encoding.UTF8.GetBytes(Valid);

        Assert.Null(InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), body.Length, request));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(47)]
    [InlineData(49)]
    [InlineData(100)]
    public void Parse_RawBodyNotWholeRows_ReturnsError(int length)
    {
        var request = Bind(Signatures.CreditRisk);

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(new byte[length]), 0, request);

        Assert.Equal($"A raw binary body of {length} bytes is not a whole number of rows of input 'features' (48 bytes each).", error);
    }

    [Fact]
    public void Parse_RawBodyForTwoInputModel_ReturnsError()
    {
        var request = Bind(Signatures.Ranker);

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(new byte[16]), 0, request);

        Assert.Contains("needs a model with exactly one input; this model has 2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RawBodyOfTwoRowsForFixedBatch_ReturnsFixedBatchError()
    {
        var request = Bind(Signatures.Fixed);

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(new byte[40]), 0, request);

        Assert.Contains("fixed batch size of 1", error, StringComparison.Ordinal);
    }
}
