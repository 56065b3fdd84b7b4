using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Protocol;

/// <summary>
/// Every refusal over real HTTP: the status, an <c>{"error": ...}</c> body that says what was wrong, and
/// a server that still answers the next valid request correctly.
/// </summary>
public sealed class InferenceEndpointErrorTests(ModelsGatewayFixture fixture) : IClassFixture<ModelsGatewayFixture>
{
    private const string Row12 = "[1,2,3,4,5,6,7,8,9,10,11,12]";
    private const string Valid = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,12]}]}""";

    private readonly HttpClient _client = fixture.Host.Client;

    public static TheoryData<string, string> BadJsonRequests => new()
    {
        { """{"inputs":[{"name":"features",""", "Malformed JSON" },
        { Valid + " trailing", "Malformed JSON" },
        { Valid + "{}", "Malformed JSON" },
        { "", "Malformed JSON" },
        { "[1,2,3]", "must be a JSON object" },
        { """{"id":"x"}""", "has no 'inputs'" },
        { """{"inputs":[]}""", "Missing input 'features'" },
        { """{"inputs":[{"name":"feature","datatype":"FP32","shape":[1,12],"data":[1]}]}""", "Unknown input 'feature'" },
        { $$$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{{Row12}}}},{"name":"features","datatype":"FP32","shape":[1,12],"data":{{{Row12}}}}]}""", "appears more than once" },
        { $$"""{"inputs":[{"name":"features","datatype":"INT64","shape":[1,12],"data":{{Row12}}}]}""", "has datatype INT64 but the model expects FP32" },
        { $$"""{"inputs":[{"name":"features","datatype":"FLOAT32","shape":[1,12],"data":{{Row12}}}]}""", "Unknown datatype 'FLOAT32'" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,"12"]}]}""", "non-numeric data (String)" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,null]}]}""", "non-numeric data (Null)" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,true]}]}""", "non-numeric data (true/false)" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,1e39]}]}""", "not a valid FP32: 1e39" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11]}]}""", "has 11 values but shape [1, 12] needs 12" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[2,12],"data":{{Row12}}}]}""", "has 12 values but shape [2, 12] needs 24" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,-12],"data":{{Row12}}}]}""", "negative dimension" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,1,1,1,1,1,1,1,12],"data":{{Row12}}}]}""", "more than 8 dimensions" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP32","shape":[12],"data":{{Row12}}}]}""", "has shape [12] but the model expects [-1, 12]" },
        { """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"parameters":{"binary_data_size":48}}]}""", "no Inference-Header-Content-Length header" },
        { $$"""{"outputs":[{"name":"nope"}],"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "Unknown output 'nope'" },
    };

    [Theory]
    [MemberData(nameof(BadJsonRequests))]
    public async Task Infer_BadJsonRequest_Returns400ThenStillServes(string body, string expected)
    {
        using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", 2), body);

        Assert.Contains(expected, await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Retry-After"));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Infer_Uint8DataForFp32Input_Returns400()
    {
        // 300 for a real UINT8 input is covered against the unseen repository's dtypes model.
        using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", 1), """{"inputs":[{"name":"features","datatype":"UINT8","shape":[1,12],"data":[1,2,3,4,5,6,7,8,9,10,11,300]}]}""");

        Assert.Contains("has datatype UINT8 but the model expects FP32", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1.5")]
    public async Task Infer_InvalidHeaderLength_Returns400(string value)
    {
        using var content = new StringContent(Valid, Encoding.UTF8, "application/json");
        content.Headers.Add(Infer.HeaderLength, value);

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), content);

        Assert.Contains("Inference-Header-Content-Length must be a non-negative integer", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Infer_HeaderLengthPastTheBody_Returns400()
    {
        using var content = new StringContent(Valid, Encoding.UTF8, "application/json");
        content.Headers.Add(Infer.HeaderLength, (Encoding.UTF8.GetByteCount(Valid) + 10).ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), content);

        Assert.Contains("is larger than the request body", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Infer_BinarySizeDisagreesWithShape_Returns400()
    {
        var json = """{"inputs":[{"name":"features","datatype":"FP32","shape":[2,12],"parameters":{"binary_data_size":48}}]}""";

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), Infer.BinaryContent(json, new byte[48]));

        Assert.Contains("has binary_data_size 48 but shape [2, 12] of FP32 needs 96 bytes", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Infer_BinaryRunsPastTheBody_Returns400()
    {
        var json = """{"inputs":[{"name":"features","datatype":"FP32","shape":[2,12],"parameters":{"binary_data_size":96}}]}""";

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), Infer.BinaryContent(json, new byte[60]));

        Assert.Contains("runs past the end of the body", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Infer_BytesAfterTheBinaryInputs_Returns400()
    {
        var json = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"parameters":{"binary_data_size":48}}]}""";

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), Infer.BinaryContent(json, new byte[48], new byte[3]));

        Assert.Contains("3 bytes after the JSON header", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Theory]
    [InlineData(47)]
    [InlineData(0)]
    public async Task Infer_RawBodyNotWholeRows_Returns400(int length)
    {
        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), Infer.RawContent(new byte[length]));

        Assert.Contains("is not a whole number of rows of input 'features' (48 bytes each)", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Theory]
    [InlineData("/v2/models/no-such-model/infer", "Unknown model 'no-such-model'")]
    [InlineData("/v2/models/no-such-model/versions/1/infer", "Unknown model 'no-such-model'")]
    [InlineData("/v2/models/credit-risk/versions/3/infer", "Model 'credit-risk' has no version 3")]
    [InlineData("/v2/models/credit-risk/versions/0/infer", "Model 'credit-risk' has no version 0")]
    [InlineData("/v2/models/credit-risk/versions/two/infer", "Model 'credit-risk' has no version 'two'")]
    [InlineData("/v2/models/credit-risk/versions/-2/infer", "Model 'credit-risk' has no version '-2'")]
    public async Task Infer_UnknownModelOrVersion_Returns404(string path, string expected)
    {
        using var response = await _client.PostJsonAsync(path, Valid);

        Assert.Contains(expected, await Infer.ReadErrorAsync(response, HttpStatusCode.NotFound), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Infer_ErrorsInARow_ServerStillAnswersEachVersionCorrectly()
    {
        foreach (var (body, _) in BadJsonRequests.Select(static row => ((string)row[0], (string)row[1])))
        {
            using var bad = await _client.PostJsonAsync(Infer.Path("credit-risk"), body);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }
        using (var binary = new ByteArrayContent(new byte[7]))
        {
            binary.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            binary.Headers.Add(Infer.HeaderLength, "0");
            using var bad = await _client.PostAsync(Infer.Path("credit-risk", 1), binary);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        int[] rows = [0, 9, 31];
        foreach (var version in new[] { 1, 2 })
        {
            using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", version), Infer.CreditRiskJson(rows));
            using var doc = await Infer.ReadJsonAsync(response);
            ExpectedOutputs.CreditRisk.AssertProbabilities(version, rows, Infer.FloatData(Infer.Output(doc, "probability")));
        }
    }

    private async Task AssertStillServesAsync()
    {
        using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", 2), Infer.CreditRiskJson([12]));
        using var doc = await Infer.ReadJsonAsync(response);
        ExpectedOutputs.CreditRisk.AssertProbabilities(2, [12], Infer.FloatData(Infer.Output(doc, "probability")));
    }
}
