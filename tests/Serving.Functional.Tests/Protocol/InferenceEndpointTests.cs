using System.Net;
using System.Text.Json;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Protocol;

public sealed class InferenceEndpointTests(ModelsGatewayFixture fixture) : IClassFixture<ModelsGatewayFixture>
{
    private static readonly CreditRiskFixture CreditRisk = ExpectedOutputs.CreditRisk;
    private static readonly int[] AllRows = Enumerable.Range(0, ExpectedOutputs.CreditRisk.Rows).ToArray();

    private readonly HttpClient _client = fixture.Host.Client;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(null, 2)]
    public async Task Infer_CreditRiskAllRowsInOneRequest_MatchesNumpy(int? version, int answering)
    {
        using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", version), Infer.CreditRiskJson(AllRows));
        using var doc = await Infer.ReadJsonAsync(response);

        Assert.Equal(answering.ToString(System.Globalization.CultureInfo.InvariantCulture), Infer.AnsweringVersion(response, doc));
        Assert.Equal("credit-risk", doc.RootElement.GetProperty("model_name").GetString());
        var output = Infer.Output(doc, "probability");
        Assert.Equal("FP32", output.GetProperty("datatype").GetString());
        Assert.Equal([32L, 1L], Infer.Shape(output));
        CreditRisk.AssertProbabilities(answering, AllRows, Infer.FloatData(output));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(null, 2)]
    public async Task Infer_CreditRiskRowByRow_EachMatchesNumpy(int? version, int answering)
    {
        foreach (var row in AllRows)
        {
            using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", version), Infer.CreditRiskJson([row], nested: row % 2 == 0));
            using var doc = await Infer.ReadJsonAsync(response);

            Assert.Equal(answering.ToString(System.Globalization.CultureInfo.InvariantCulture), Infer.AnsweringVersion(response, doc));
            var output = Infer.Output(doc, "probability");
            Assert.Equal([1L, 1L], Infer.Shape(output));
            CreditRisk.AssertProbabilities(answering, [row], Infer.FloatData(output));
        }
    }

    [Fact]
    public async Task Infer_VersionsDiffer_V1AndV2GiveTheirOwnFixtureValues()
    {
        // Guards the fixture comparison itself: if v1 and v2 answered alike, the per-version checks could not tell them apart.
        var differing = AllRows.Where(static r => Math.Abs(CreditRisk.V1[r] - CreditRisk.V2[r]) > 1e-3).ToArray();
        Assert.NotEmpty(differing);

        using var v1 = await _client.PostJsonAsync(Infer.Path("credit-risk", 1), Infer.CreditRiskJson(differing));
        using var v2 = await _client.PostJsonAsync(Infer.Path("credit-risk", 2), Infer.CreditRiskJson(differing));
        using var d1 = await Infer.ReadJsonAsync(v1);
        using var d2 = await Infer.ReadJsonAsync(v2);

        CreditRisk.AssertProbabilities(1, differing, Infer.FloatData(Infer.Output(d1, "probability")));
        CreditRisk.AssertProbabilities(2, differing, Infer.FloatData(Infer.Output(d2, "probability")));
    }

    [Theory]
    [InlineData("request-42")]
    [InlineData("quote \" backslash \\ unicode é 😀 </script>")]
    [InlineData("")]
    public async Task Infer_WithId_EchoesTheId(string id)
    {
        using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", 1), Infer.CreditRiskJson([3], id));
        using var doc = await Infer.ReadJsonAsync(response);

        Assert.Equal(id, doc.RootElement.GetProperty("id").GetString());
        // Only an id a header can carry (non-empty printable ASCII) is echoed in x-request-id as well.
        var header = response.Headers.TryGetValues("x-request-id", out var values) ? Assert.Single(values) : null;
        Assert.Equal(id == "request-42" ? id : null, header);
    }

    [Fact]
    public async Task Infer_WithoutId_ResponseHasAnAssignedId()
    {
        using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", 1), Infer.CreditRiskJson([3]));
        using var doc = await Infer.ReadJsonAsync(response);

        Assert.Equal(Assert.Single(response.Headers.GetValues("x-request-id")), doc.RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Infer_OutputSelectedAsJson_ReturnsItInJson()
    {
        var json = Infer.CreditRiskJson([0, 1])[..^1] + ""","outputs":[{"name":"probability"}]}""";

        using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", 2), json);
        using var doc = await Infer.ReadJsonAsync(response);

        CreditRisk.AssertProbabilities(2, [0, 1], Infer.FloatData(Infer.Output(doc, "probability")));
    }

    [Fact]
    public async Task Infer_OutputSelectedAsBinary_ReturnsItsBytesAfterTheHeader()
    {
        var json = Infer.CreditRiskJson([4, 5, 6], id: "bin")[..^1] + ""","outputs":[{"name":"probability","parameters":{"binary_data":true}}]}""";

        using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", 1), json);
        var (header, binary) = await Infer.ReadBinaryAsync(response);

        using (header)
        {
            Assert.Equal("bin", header.RootElement.GetProperty("id").GetString());
            Assert.Equal("1", Infer.AnsweringVersion(response, header));
            var outputs = Infer.SplitBinaryOutputs(header, binary);
            Assert.Equal(12, outputs["probability"].Length);
            Assert.Equal([3L, 1L], Infer.Shape(Infer.Output(header, "probability")));
            CreditRisk.AssertProbabilities(1, [4, 5, 6], Infer.Floats(outputs["probability"]));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Infer_BinaryInputAndBinaryOutput_RoundTripMatchesNumpy(int version)
    {
        var json = """{"inputs":[{"name":"features","datatype":"FP32","shape":[32,12],"parameters":{"binary_data_size":1536}}],"parameters":{"binary_data_output":true}}""";

        using var response = await _client.PostAsync(Infer.Path("credit-risk", version), Infer.BinaryContent(json, CreditRisk.Float32Bytes(AllRows)));
        var (header, binary) = await Infer.ReadBinaryAsync(response);

        using (header)
        {
            var outputs = Infer.SplitBinaryOutputs(header, binary);
            Assert.Equal(32 * 4, outputs["probability"].Length);
            CreditRisk.AssertProbabilities(version, AllRows, Infer.Floats(outputs["probability"]));
        }
    }

    [Fact]
    public async Task Infer_BinaryInputWithJsonOutput_ReturnsJson()
    {
        int[] rows = [7, 30, 31];
        var json = """{"id":"mixed","inputs":[{"name":"features","datatype":"FP32","shape":[3,12],"parameters":{"binary_data_size":144}}]}""";

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 1), Infer.BinaryContent(json, CreditRisk.Float32Bytes(rows)));
        using var doc = await Infer.ReadJsonAsync(response);

        Assert.Equal("mixed", doc.RootElement.GetProperty("id").GetString());
        CreditRisk.AssertProbabilities(1, rows, Infer.FloatData(Infer.Output(doc, "probability")));
    }

    [Fact]
    public async Task Infer_RawBinaryRequest_RowsFromTheBodyLength()
    {
        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), Infer.RawContent(CreditRisk.Float32Bytes(AllRows)));
        using var doc = await Infer.ReadJsonAsync(response);

        var output = Infer.Output(doc, "probability");
        Assert.Equal([32L, 1L], Infer.Shape(output));
        CreditRisk.AssertProbabilities(2, AllRows, Infer.FloatData(output));
    }

    [Fact]
    public async Task Infer_ImageClassifierJson_MatchesNumpyLogits()
    {
        var image = ExpectedOutputs.ImageClassifier;
        var json = JsonSerializer.Serialize(new
        {
            inputs = new[] { new { name = "image", datatype = "FP32", shape = new[] { 2, 3, 64, 64 }, data = image.Inputs.SelectMany(static i => i).ToArray() } },
        });

        using var response = await _client.PostJsonAsync(Infer.Path("image-classifier"), json);
        using var doc = await Infer.ReadJsonAsync(response);

        Assert.Equal("1", Infer.AnsweringVersion(response, doc));
        var logits = Infer.Output(doc, "logits");
        Assert.Equal([2L, 10L], Infer.Shape(logits));
        image.AssertLogits(Infer.FloatData(logits));
    }

    [Fact]
    public async Task Infer_ImageClassifierBinary_MatchesNumpyLogits()
    {
        var image = ExpectedOutputs.ImageClassifier;
        var bytes = image.Float32Bytes();
        var json = $$$"""{"inputs":[{"name":"image","datatype":"FP32","shape":[2,3,64,64],"parameters":{"binary_data_size":{{{bytes.Length}}}}}],"outputs":[{"name":"logits","parameters":{"binary_data":true}}]}""";

        using var response = await _client.PostAsync(Infer.Path("image-classifier", 1), Infer.BinaryContent(json, bytes));
        var (header, binary) = await Infer.ReadBinaryAsync(response);

        using (header)
        {
            image.AssertLogits(Infer.Floats(Infer.SplitBinaryOutputs(header, binary)["logits"]));
        }
    }

    [Fact]
    public async Task Infer_ImageClassifierRaw_MatchesNumpyLogits()
    {
        var image = ExpectedOutputs.ImageClassifier;

        using var response = await _client.PostAsync(Infer.Path("image-classifier"), Infer.RawContent(image.Float32Bytes()));
        using var doc = await Infer.ReadJsonAsync(response);

        image.AssertLogits(Infer.FloatData(Infer.Output(doc, "logits")));
    }

    [Fact]
    public async Task Infer_ChunkedRequestBody_ParsedLikeAContentLengthOne()
    {
        var body = System.Text.Encoding.UTF8.GetBytes(Infer.CreditRiskJson(AllRows));
        using var content = new StreamContent(new NonSeekableStream(body));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), content);
        using var doc = await Infer.ReadJsonAsync(response);

        Assert.Null(response.RequestMessage!.Content!.Headers.ContentLength);
        CreditRisk.AssertProbabilities(2, AllRows, Infer.FloatData(Infer.Output(doc, "probability")));
    }

    [Fact]
    public async Task Infer_LoneRequestsWithAQueueDelayConfigured_NeverWait()
    {
        // credit-risk/model.json sets max_queue_delay_us 200; the delay applies only while requests queue.
        var batcher = fixture.Host.Batcher("credit-risk", 1);
        var delayedBefore = batcher.DelayedBatches;
        var batchesBefore = batcher.BatchesRun;

        for (var row = 0; row < 10; row++)
        {
            using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", 1), Infer.CreditRiskJson([row]));
            using var doc = await Infer.ReadJsonAsync(response);
            CreditRisk.AssertProbabilities(1, [row], Infer.FloatData(Infer.Output(doc, "probability")));
        }

        Assert.Equal(10, batcher.BatchesRun - batchesBefore);
        Assert.Equal(delayedBefore, batcher.DelayedBatches);
    }

    [Fact]
    public async Task Infer_ZeroRows_ReturnsAnEmptyOutput()
    {
        using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", 2), """{"inputs":[{"name":"features","datatype":"FP32","shape":[0,12],"data":[]}]}""");
        using var doc = await Infer.ReadJsonAsync(response);

        var output = Infer.Output(doc, "probability");
        Assert.Equal([0L, 1L], Infer.Shape(output));
        Assert.Empty(Infer.FloatData(output));
    }
}
