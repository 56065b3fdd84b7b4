using System.Net;
using System.Text;
using System.Text.Json;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Protocol;

/// <summary>
/// Requests that used to reach a 500 or an empty body: undecodable text, overlapping routes, wrong
/// methods, unrouted paths, broken chunk framing, non-finite binary values. Each gets a 4xx with an
/// <c>{"error"}</c> that names the problem, and the server answers the next valid request correctly.
/// </summary>
public sealed class HostileRequestTests(ModelsGatewayFixture fixture) : IClassFixture<ModelsGatewayFixture>
{
    private const string Row12 = "[1,2,3,4,5,6,7,8,9,10,11,12]";

    private readonly GatewayHost _host = fixture.Host;

    public static TheoryData<string, string> BadText => new()
    {
        { $$"""{"id":"\ud800","inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "'id' is not valid text" },
        { $$"""{"inputs":[{"name":"\udc00","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "Input 'name' is not valid text" },
        { $$"""{"inputs":[{"name":"features","datatype":"FP\ud83232","shape":[1,12],"data":{{Row12}}}]}""", "Input 'datatype' is not valid text" },
        { $$"""{"outputs":[{"name":"\ud800x"}],"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "Output 'name' is not valid text" },
        { $$"""{"\ud800":0,"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "A property name is not valid text" },
    };

    [Theory]
    [MemberData(nameof(BadText))]
    public async Task Infer_LoneSurrogate_Returns400NamingTheField(string body, string expected)
    {
        using var response = await _host.Client.PostJsonAsync(Infer.Path("credit-risk", 2), body);

        Assert.Contains(expected, await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Theory]
    [InlineData("id")]
    [InlineData("name")]
    public async Task Infer_InvalidUtf8Bytes_Returns400(string field)
    {
        var json = field == "id"
            ? $$"""{"id":"@","inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}"""
            : $$"""{"inputs":[{"name":"@","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""";
        var at = json.IndexOf('@', StringComparison.Ordinal);
        byte[] body = [.. Encoding.ASCII.GetBytes(json[..at]), 0xC3, 0x28, 0xFF, .. Encoding.ASCII.GetBytes(json[(at + 1)..])];

        using var response = await _host.Client.PostAsync(Infer.Path("credit-risk", 2), new ByteArrayContent(body));

        Assert.Contains("is not valid text", await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Theory]
    [InlineData("/v2/models/infer")]
    [InlineData("/v2/models/./infer")]
    [InlineData("/v2/models/../models/infer")]
    [InlineData("/v2/models//infer")]
    public async Task Infer_PathWithoutAModel_Returns4xxWithError(string path)
    {
        var response = await RawHttp.SendAsync(_host.Address, RawHttp.Head("POST", path, "Content-Type: application/json", "Content-Length: 2"), "{}"u8.ToArray());

        Assert.InRange(response.Status, 400, 499);
        Assert.False(string.IsNullOrWhiteSpace(ErrorOf(response.Body)));
        await AssertStillServesAsync();
    }

    [Theory]
    [InlineData("GET", "/v2/models/credit-risk/infer")]
    [InlineData("PUT", "/v2/models/credit-risk/versions/2/infer")]
    [InlineData("DELETE", "/v2/models/nope/infer")]
    public async Task Infer_WrongMethod_Returns405WithAllowPost(string method, string path)
    {
        using var response = await _host.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Contains($"Method {method} is not allowed", await Infer.ReadErrorAsync(response, HttpStatusCode.MethodNotAllowed), StringComparison.Ordinal);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Metadata_WrongMethod_Returns405WithAllowGet()
    {
        using var response = await _host.Client.PostAsync("/v2/models/credit-risk", new StringContent("{}"));

        Assert.Contains("Method POST is not allowed on /v2/models/credit-risk", await Infer.ReadErrorAsync(response, HttpStatusCode.MethodNotAllowed), StringComparison.Ordinal);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/v2/models/credit-risk/versions/2/explain")]
    [InlineData("/v3/models/credit-risk/infer")]
    public async Task UnroutedPath_Returns404WithError(string path)
    {
        using var response = await _host.Client.GetAsync(path);

        Assert.Contains($"No route for GET {path}", await Infer.ReadErrorAsync(response, HttpStatusCode.NotFound), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ffffffffffffffffffff")]
    [InlineData("-5")]
    [InlineData("zz")]
    [InlineData("7fffffff")]
    public async Task Infer_BadChunkSize_Returns400OrCloses(string size)
    {
        var body = Encoding.ASCII.GetBytes($"{size}\r\n{{}}\r\n0\r\n\r\n");

        var response = await RawHttp.SendAsync(_host.Address, RawHttp.Head("POST", Infer.Path("credit-risk", 2), "Content-Type: application/json", "Transfer-Encoding: chunked"), body, halfClose: true);

        // Kestrel may refuse the framing itself (400, or a closed connection); the gateway never answers 5xx.
        Assert.True(response.Status is 0 or (>= 400 and < 500), $"status {response.Status}: {response.Body}");
        if (response.Status != 0 && response.Body.Length > 0)
        {
            Assert.False(string.IsNullOrWhiteSpace(ErrorOf(response.Body)));
        }
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Infer_BodyShorterThanDeclared_NeverA5xx()
    {
        var response = await RawHttp.SendAsync(_host.Address,
            RawHttp.Head("POST", Infer.Path("credit-risk", 2), "Content-Type: application/json", "Content-Length: 500"), "{\"inputs\":["u8.ToArray(), halfClose: true);

        Assert.True(response.Status is 0 or (>= 400 and < 500), $"status {response.Status}: {response.Body}");
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Infer_BinaryInputWithNaN_Returns400LikeJson()
    {
        var rows = ExpectedOutputs.CreditRisk.Float32Bytes([0]);
        BitConverter.TryWriteBytes(rows.AsSpan(4 * 3), float.NaN);
        const string json = """{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"parameters":{"binary_data_size":48}}]}""";

        using var binary = await _host.Client.PostAsync(Infer.Path("credit-risk", 2), Infer.BinaryContent(json, rows));
        using var raw = await _host.Client.PostAsync(Infer.Path("credit-risk", 2), Infer.RawContent(rows));

        Assert.Contains("Input 'features' has a non-finite value (NaN or infinity) at element 3", await Infer.ReadErrorAsync(binary, HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Contains("non-finite value", await Infer.ReadErrorAsync(raw, HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }

    private static string? ErrorOf(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("error").GetString();
    }

    private async Task AssertStillServesAsync()
    {
        int[] rows = [3, 17];
        using var response = await _host.Client.PostJsonAsync(Infer.Path("credit-risk", 2), Infer.CreditRiskJson(rows));
        using var doc = await Infer.ReadJsonAsync(response);
        ExpectedOutputs.CreditRisk.AssertProbabilities(2, rows, Infer.FloatData(Infer.Output(doc, "probability")));
    }
}
