using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Repository;

/// <summary>
/// The gateway pointed at tests/fixtures/unseen-repo, models it was not written for, checked against
/// unseen-repo-expected.json (numpy).
/// </summary>
public sealed class UnseenRepositoryTests(UnseenRepoGatewayFixture fixture) : IClassFixture<UnseenRepoGatewayFixture>
{
    private readonly HttpClient _client = fixture.Host.Client;

    private static JsonElement Expected(string model) => ExpectedOutputs.UnseenRepo.RootElement.GetProperty(model);

    [Fact]
    public async Task HealthReady_BrokenHasAReadyVersion_Returns200AndReportsTheFailedOne()
    {
        using var response = await _client.GetAsync("/v2/health/ready");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var models = doc.RootElement.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(["broken", "dtypes", "fixed", "ranker"], models.Select(static m => m.GetProperty("name").GetString()));
        var broken = models[0].GetProperty("versions").EnumerateArray().ToDictionary(static v => v.GetProperty("version").GetString()!, static v => v.GetProperty("state").GetString());
        Assert.Equal("FAILED", broken["1"]);
        Assert.Equal("READY", broken["2"]);
    }

    [Fact]
    public async Task Infer_Ranker_TwoInputsOfMixedTypes_MatchesNumpy()
    {
        var expected = Expected("ranker");
        var body = JsonSerializer.Serialize(new { inputs = expected.GetProperty("inputs") });

        using var response = await _client.PostJsonAsync(Infer.Path("ranker", 1), body);
        using var doc = await Infer.ReadJsonAsync(response);

        Assert.Equal("1", Infer.AnsweringVersion(response, doc));
        foreach (var want in expected.GetProperty("outputs").EnumerateArray())
        {
            var got = Infer.Output(doc, want.GetProperty("name").GetString()!);
            var datatype = want.GetProperty("datatype").GetString()!;
            Assert.Equal(datatype, got.GetProperty("datatype").GetString());
            Assert.Equal(want.GetProperty("shape").EnumerateArray().Select(static d => d.GetInt64()), Infer.Shape(got));
            if (datatype == "FP32")
            {
                AssertClose(want.GetProperty("data"), got.GetProperty("data"));
            }
            else
            {
                Assert.Equal(TensorValues.Canonical(datatype, want.GetProperty("data")), TensorValues.Canonical(datatype, got.GetProperty("data")));
            }
        }
    }

    [Fact]
    public async Task Infer_RankerBinaryBothWays_MatchesNumpy()
    {
        var expected = Expected("ranker");
        var query = TensorValues.ToBytes("FP32", expected.GetProperty("inputs")[0].GetProperty("data"));
        var docIds = TensorValues.ToBytes("INT64", expected.GetProperty("inputs")[1].GetProperty("data"));
        var json = $$$"""{"inputs":[{"name":"doc_ids","datatype":"INT64","shape":[3,3],"parameters":{"binary_data_size":{{{docIds.Length}}}}},{"name":"query","datatype":"FP32","shape":[3,4],"parameters":{"binary_data_size":{{{query.Length}}}}}],"parameters":{"binary_data_output":true}}""";

        using var response = await _client.PostAsync(Infer.Path("ranker"), Infer.BinaryContent(json, docIds, query));
        var (header, binary) = await Infer.ReadBinaryAsync(response);

        using (header)
        {
            var outputs = Infer.SplitBinaryOutputs(header, binary);
            var wantScore = expected.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(static v => v.GetDouble()).ToArray();
            var score = MemoryMarshal.Cast<byte, float>(outputs["score"]).ToArray();
            Assert.Equal(wantScore.Length, score.Length);
            for (var i = 0; i < score.Length; i++)
            {
                Assert.True(Math.Abs(score[i] - wantScore[i]) <= 1e-6 * Math.Max(1, Math.Abs(wantScore[i])), $"score {i}: {score[i]} vs {wantScore[i]}");
            }
            Assert.Equal(
                TensorValues.Canonical("INT64", expected.GetProperty("outputs")[1].GetProperty("data")),
                TensorValues.Canonical("INT64", outputs["top_id"]));
        }
    }

    [Fact]
    public async Task Infer_RankerDocIdsBeyond2To53_TopIdExact()
    {
        // max() of integers needs no model to check: 2^53 + 1 and its neighbours collapse to one double.
        long[][] ids = [[9007199254740993, 9007199254740992, 1], [-9223372036854775807, -9007199254740993, -9007199254740995], [9223372036854775807, 0, 9223372036854775806]];
        var body = JsonSerializer.Serialize(new
        {
            inputs = new object[]
            {
                new { name = "query", datatype = "FP32", shape = new[] { 3, 4 }, data = new float[12] },
                new { name = "doc_ids", datatype = "INT64", shape = new[] { 3, 3 }, data = ids },
            },
            outputs = new[] { new { name = "top_id" } },
        });

        using var response = await _client.PostJsonAsync(Infer.Path("ranker", 1), body);
        using var doc = await Infer.ReadJsonAsync(response);

        var output = Assert.Single(doc.RootElement.GetProperty("outputs").EnumerateArray());
        Assert.Equal("top_id", output.GetProperty("name").GetString());
        Assert.Equal(ids.Select(static row => row.Max()), output.GetProperty("data").EnumerateArray().Select(static v => v.GetInt64()));
        Assert.Equal("[9007199254740993,-9007199254740993,9223372036854775807]", output.GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Infer_RankerScoreOverflowsFp32_200WithInfinityInJsonAndExactInBinary()
    {
        // 2.0 * 3e38 is past FP32's range: the model itself produces +infinity.
        var json = """{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[0,0,0,3e38]},{"name":"doc_ids","datatype":"INT64","shape":[1,3],"data":[1,2,3]}]}""";

        using (var response = await _client.PostJsonAsync(Infer.Path("ranker"), json))
        using (var doc = await Infer.ReadJsonAsync(response))
        {
            Assert.Equal("""["Infinity"]""", Infer.Output(doc, "score").GetProperty("data").GetRawText());
            Assert.Equal("[3]", Infer.Output(doc, "top_id").GetProperty("data").GetRawText());
        }

        var binaryJson = json[..^1] + ""","parameters":{"binary_data_output":true}}""";
        using (var response = await _client.PostJsonAsync(Infer.Path("ranker"), binaryJson))
        {
            var (header, binary) = await Infer.ReadBinaryAsync(response);
            using (header)
            {
                Assert.Equal([float.PositiveInfinity], Infer.Floats(Infer.SplitBinaryOutputs(header, binary)["score"]));
            }
        }
    }

    [Fact]
    public async Task Infer_RankerMissingSecondInput_Returns400()
    {
        using var response = await _client.PostJsonAsync(Infer.Path("ranker"), """{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}""");

        Assert.Contains("Missing input 'doc_ids'", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_RankerInputsDisagreeOnBatch_Returns400()
    {
        using var response = await _client.PostJsonAsync(Infer.Path("ranker"), """{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"doc_ids","datatype":"INT64","shape":[2,3],"data":[1,2,3,4,5,6]}]}""");

        Assert.Contains("disagree on the batch dimension", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelMetadata_Fixed_ShowsTheFixedBatchDimension()
    {
        using var doc = JsonDocument.Parse(await _client.GetStringAsync("/v2/models/fixed"));

        var input = Assert.Single(doc.RootElement.GetProperty("inputs").EnumerateArray());
        Assert.Equal([1L, 5L], input.GetProperty("shape").EnumerateArray().Select(static d => d.GetInt64()));
    }

    [Fact]
    public async Task Infer_FixedBatchOne_MatchesNumpy()
    {
        var expected = Expected("fixed");
        var body = JsonSerializer.Serialize(new { inputs = expected.GetProperty("inputs") });

        using var response = await _client.PostJsonAsync(Infer.Path("fixed", 1), body);
        using var doc = await Infer.ReadJsonAsync(response);

        var want = expected.GetProperty("outputs")[0];
        var got = Infer.Output(doc, "y");
        Assert.Equal([1L, 5L], Infer.Shape(got));
        Assert.Equal(TensorValues.Canonical("FP32", want.GetProperty("data")), TensorValues.Canonical("FP32", got.GetProperty("data")));
    }

    [Fact]
    public async Task Infer_FixedBatchTwo_Returns400NamingTheFixedBatchSize()
    {
        using var response = await _client.PostJsonAsync(Infer.Path("fixed"), """{"inputs":[{"name":"x","datatype":"FP32","shape":[2,5],"data":[0,1,2,3,4,5,6,7,8,9]}]}""");

        Assert.Contains("fixed batch size of 1", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_FixedRawTwoRows_Returns400()
    {
        using var response = await _client.PostAsync(Infer.Path("fixed"), Infer.RawContent(new byte[40]));

        Assert.Contains("fixed batch size of 1", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_FixedConcurrentRequests_EachAnsweredAlone()
    {
        // A fixed batch dimension cannot be concatenated: concurrent requests must still each get their own answer.
        var tasks = Enumerable.Range(0, 24).Select(async i =>
        {
            float[] x = [i, i + 0.5f, -i, 2 * i, 100 + i];
            var body = JsonSerializer.Serialize(new { inputs = new[] { new { name = "x", datatype = "FP32", shape = new[] { 1, 5 }, data = x } } });
            using var response = await _client.PostJsonAsync(Infer.Path("fixed"), body);
            using var doc = await Infer.ReadJsonAsync(response);
            Assert.Equal(x.Select(static v => 2 * v + 1), Infer.FloatData(Infer.Output(doc, "y")));
        });

        await Task.WhenAll(tasks);
    }

    [Fact]
    public async Task Infer_DtypesJson_EveryDatatypeExact()
    {
        var expected = Expected("dtypes");
        var body = JsonSerializer.Serialize(new { inputs = expected.GetProperty("inputs") });

        using var response = await _client.PostJsonAsync(Infer.Path("dtypes", 1), body);
        using var doc = await Infer.ReadJsonAsync(response);

        var outputs = expected.GetProperty("outputs").EnumerateArray().ToArray();
        Assert.Equal(12, outputs.Length);
        foreach (var want in outputs)
        {
            var name = want.GetProperty("name").GetString()!;
            var datatype = want.GetProperty("datatype").GetString()!;
            var got = Infer.Output(doc, name);
            Assert.Equal(datatype, got.GetProperty("datatype").GetString());
            Assert.Equal([2L, 2L], Infer.Shape(got));
            Assert.Equal(TensorValues.Canonical(datatype, want.GetProperty("data")), TensorValues.Canonical(datatype, got.GetProperty("data")));
        }
    }

    [Fact]
    public async Task Infer_DtypesBinary_EveryDatatypeExact()
    {
        var expected = Expected("dtypes");
        var inputs = expected.GetProperty("inputs").EnumerateArray().ToArray();
        var tensors = inputs.Select(static i => TensorValues.ToBytes(i.GetProperty("datatype").GetString()!, i.GetProperty("data"))).ToArray();
        var json = JsonSerializer.Serialize(new
        {
            inputs = inputs.Select((input, k) => new
            {
                name = input.GetProperty("name").GetString(),
                datatype = input.GetProperty("datatype").GetString(),
                shape = new[] { 2, 2 },
                parameters = new { binary_data_size = tensors[k].Length },
            }),
            parameters = new { binary_data_output = true },
        });

        using var response = await _client.PostAsync(Infer.Path("dtypes"), Infer.BinaryContent(json, tensors));
        var (header, binary) = await Infer.ReadBinaryAsync(response);

        using (header)
        {
            var outputs = Infer.SplitBinaryOutputs(header, binary);
            Assert.Equal(12, outputs.Count);
            foreach (var want in expected.GetProperty("outputs").EnumerateArray())
            {
                var datatype = want.GetProperty("datatype").GetString()!;
                Assert.Equal(TensorValues.Canonical(datatype, want.GetProperty("data")), TensorValues.Canonical(datatype, outputs[want.GetProperty("name").GetString()!]));
            }
        }
    }

    [Theory]
    [InlineData("in_uint8", "UINT8", "[0,1,2,300]", "not a valid UINT8: 300")]
    [InlineData("in_int8", "INT8", "[0,1,2,-129]", "not a valid INT8: -129")]
    [InlineData("in_uint64", "UINT64", "[0,1,2,-1]", "not a valid UINT64: -1")]
    [InlineData("in_int64", "INT64", "[0,1,2,9223372036854775808]", "not a valid INT64: 9223372036854775808")]
    [InlineData("in_fp16", "FP16", "[0,1,2,70000]", "not a valid FP16: 70000")]
    [InlineData("in_bool", "BOOL", "[true,false,1,0]", "its data must be true or false")]
    [InlineData("in_fp32", "FP32", "[0,1,2,true]", "non-numeric data (true/false)")]
    [InlineData("in_uint8", "INT8", "[0,1,2,3]", "has datatype INT8 but the model expects UINT8")]
    public async Task Infer_DtypesValueOutsideItsDatatype_Returns400(string name, string datatype, string data, string expected)
    {
        var body = $$"""{"inputs":[{"name":"{{name}}","datatype":"{{datatype}}","shape":[2,2],"data":{{data}}}]}""";

        using var response = await _client.PostJsonAsync(Infer.Path("dtypes"), body);

        Assert.Contains(expected, await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionMetadata_BrokenVersion1_Returns503WithTheLoadFailure()
    {
        using var response = await _client.GetAsync("/v2/models/broken/versions/1");

        var error = await Infer.ReadErrorAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("Version 1 of model 'broken' failed to load: ", error, StringComparison.Ordinal);
        Assert.True(error.Length > "Version 1 of model 'broken' failed to load: ".Length + 10, error);
    }

    [Fact]
    public async Task ModelMetadata_Broken_ServesVersion2AndReportsVersion1Failed()
    {
        using var response = await _client.GetAsync("/v2/models/broken");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["2"], doc.RootElement.GetProperty("versions").EnumerateArray().Select(static v => v.GetString()));
        var states = doc.RootElement.GetProperty("version_status").EnumerateArray().ToDictionary(static s => s.GetProperty("version").GetString()!);
        Assert.Equal("FAILED", states["1"].GetProperty("state").GetString());
        Assert.False(string.IsNullOrWhiteSpace(states["1"].GetProperty("reason").GetString()));
        Assert.Equal("READY", states["2"].GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("/v2/models/broken/versions/1/ready", HttpStatusCode.ServiceUnavailable)]
    [InlineData("/v2/models/broken/versions/2/ready", HttpStatusCode.OK)]
    [InlineData("/v2/models/broken/ready", HttpStatusCode.OK)]
    public async Task Ready_Broken_PerVersion(string path, HttpStatusCode expected)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Infer_BrokenVersion1_Returns503WithTheReason()
    {
        var body = JsonSerializer.Serialize(new { inputs = Expected("broken").GetProperty("inputs") });

        using var response = await _client.PostJsonAsync(Infer.Path("broken", 1), body);

        Assert.Contains("Version 1 of model 'broken' failed to load: ", await Infer.ReadErrorAsync(response, HttpStatusCode.ServiceUnavailable), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(null)]
    public async Task Infer_BrokenVersion2_MatchesNumpy(int? version)
    {
        var expected = Expected("broken");
        var body = JsonSerializer.Serialize(new { inputs = expected.GetProperty("inputs") });

        using var response = await _client.PostJsonAsync(Infer.Path("broken", version), body);
        using var doc = await Infer.ReadJsonAsync(response);

        Assert.Equal("2", Infer.AnsweringVersion(response, doc));
        Assert.Equal(
            TensorValues.Canonical("FP32", expected.GetProperty("outputs")[0].GetProperty("data")),
            TensorValues.Canonical("FP32", Infer.Output(doc, "y").GetProperty("data")));
    }

    [Fact]
    public async Task Metrics_BrokenVersion1_ReportedFailedAndVersion2Ready()
    {
        var metrics = await _client.GetStringAsync("/metrics");

        Assert.Contains("serving_model_version_state{model=\"broken\",version=\"1\",state=\"failed\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("serving_model_version_state{model=\"broken\",version=\"1\",state=\"ready\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("serving_model_version_state{model=\"broken\",version=\"2\",state=\"ready\"} 1", metrics, StringComparison.Ordinal);
    }

    private static void AssertClose(JsonElement expected, JsonElement actual)
    {
        var want = expected.EnumerateArray().Select(static v => v.GetDouble()).ToArray();
        var got = actual.EnumerateArray().Select(static v => v.GetDouble()).ToArray();
        Assert.Equal(want.Length, got.Length);
        for (var i = 0; i < want.Length; i++)
        {
            // float32 arithmetic against numpy's float64: a few ulps.
            Assert.True(Math.Abs(got[i] - want[i]) <= 1e-6 * Math.Max(1, Math.Abs(want[i])), string.Create(CultureInfo.InvariantCulture, $"element {i}: got {got[i]:R}, numpy says {want[i]:R}"));
        }
    }
}
