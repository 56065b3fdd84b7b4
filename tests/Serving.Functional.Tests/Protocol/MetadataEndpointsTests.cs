using System.Net;
using System.Text.Json;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Protocol;

public sealed class MetadataEndpointsTests(ModelsGatewayFixture fixture) : IClassFixture<ModelsGatewayFixture>
{
    private readonly HttpClient _client = fixture.Host.Client;

    [Fact]
    public async Task HealthLive_Get_Returns200()
    {
        using var response = await _client.GetAsync("/v2/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HealthReady_AfterLoad_Returns200WithEveryModelReady()
    {
        using var response = await _client.GetAsync("/v2/health/ready");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(doc.RootElement.GetProperty("ready").GetBoolean());
        var models = doc.RootElement.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(["credit-risk", "image-classifier"], models.Select(static m => m.GetProperty("name").GetString()));
        Assert.All(models, static m => Assert.True(m.GetProperty("ready").GetBoolean()));
    }

    [Fact]
    public async Task ServerMetadata_Get_ListsTheBinaryTensorDataExtension()
    {
        using var doc = JsonDocument.Parse(await _client.GetStringAsync("/v2"));

        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("name").GetString()));
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("version").GetString()));
        Assert.Contains("binary_tensor_data", doc.RootElement.GetProperty("extensions").EnumerateArray().Select(static e => e.GetString()));
    }

    [Fact]
    public async Task ModelMetadata_CreditRisk_TensorsWithDynamicBatchAndEveryReadyVersion()
    {
        using var response = await _client.GetAsync("/v2/models/credit-risk");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = doc.RootElement;
        Assert.Equal("credit-risk", root.GetProperty("name").GetString());
        Assert.Equal(["2", "1"], root.GetProperty("versions").EnumerateArray().Select(static v => v.GetString()));
        AssertTensor(Assert.Single(root.GetProperty("inputs").EnumerateArray()), "features", "FP32", [-1, 12]);
        AssertTensor(Assert.Single(root.GetProperty("outputs").EnumerateArray()), "probability", "FP32", [-1, 1]);
        var states = root.GetProperty("version_status").EnumerateArray().ToArray();
        Assert.Equal(2, states.Length);
        Assert.All(states, static s => Assert.Equal("READY", s.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task ModelMetadata_ImageClassifier_NchwInputAndLogits()
    {
        using var doc = JsonDocument.Parse(await _client.GetStringAsync("/v2/models/image-classifier"));

        AssertTensor(Assert.Single(doc.RootElement.GetProperty("inputs").EnumerateArray()), "image", "FP32", [-1, 3, 64, 64]);
        AssertTensor(Assert.Single(doc.RootElement.GetProperty("outputs").EnumerateArray()), "logits", "FP32", [-1, 10]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task VersionMetadata_CreditRiskVersion_OnlyThatVersionOnCpu(int version)
    {
        using var response = await _client.GetAsync($"/v2/models/credit-risk/versions/{version}");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([version.ToString(System.Globalization.CultureInfo.InvariantCulture)], doc.RootElement.GetProperty("versions").EnumerateArray().Select(static v => v.GetString()));
        AssertTensor(Assert.Single(doc.RootElement.GetProperty("inputs").EnumerateArray()), "features", "FP32", [-1, 12]);
        var status = Assert.Single(doc.RootElement.GetProperty("version_status").EnumerateArray());
        Assert.Equal("READY", status.GetProperty("state").GetString());
        Assert.Equal("cpu", status.GetProperty("execution_provider").GetString());
    }

    [Theory]
    [InlineData("/v2/models/credit-risk/ready")]
    [InlineData("/v2/models/credit-risk/versions/1/ready")]
    [InlineData("/v2/models/credit-risk/versions/2/ready")]
    [InlineData("/v2/models/image-classifier/ready")]
    [InlineData("/v2/models/image-classifier/versions/1/ready")]
    public async Task Ready_LoadedModelOrVersion_Returns200(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/v2/models/no-such-model", "Unknown model 'no-such-model'")]
    [InlineData("/v2/models/no-such-model/ready", "Unknown model 'no-such-model'")]
    [InlineData("/v2/models/credit-risk/versions/3", "has no version '3'")]
    [InlineData("/v2/models/credit-risk/versions/3/ready", "has no version '3'")]
    [InlineData("/v2/models/credit-risk/versions/latest", "has no version 'latest'")]
    [InlineData("/v2/models/credit-risk/versions/-1", "has no version '-1'")]
    public async Task Metadata_UnknownModelOrVersion_Returns404WithError(string path, string expected)
    {
        using var response = await _client.GetAsync(path);

        Assert.Contains(expected, await Infer.ReadErrorAsync(response, HttpStatusCode.NotFound), StringComparison.Ordinal);
    }

    private static void AssertTensor(JsonElement tensor, string name, string datatype, long[] shape)
    {
        Assert.Equal(name, tensor.GetProperty("name").GetString());
        Assert.Equal(datatype, tensor.GetProperty("datatype").GetString());
        Assert.Equal(shape, tensor.GetProperty("shape").EnumerateArray().Select(static d => d.GetInt64()));
    }
}
