using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Protocol;

/// <summary>Bodies over <c>Serving:MaxRequestBodyBytes</c> get 413, whether or not the client says the length up front.</summary>
public sealed class RequestBodyLimitTests(SmallBodyLimitGatewayFixture fixture) : IClassFixture<SmallBodyLimitGatewayFixture>
{
    private const int Limit = SmallBodyLimitGatewayFixture.Limit;

    private readonly HttpClient _client = fixture.Host.Client;

    [Fact]
    public async Task Infer_ContentLengthOverTheLimit_Returns413ThenStillServes()
    {
        var body = Padded(Limit + 1);

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });

        Assert.Contains($"limit of {Limit} bytes", await Infer.ReadErrorAsync(response, HttpStatusCode.RequestEntityTooLarge), StringComparison.Ordinal);
        // The unread body makes the server drop the connection: a client that reused it would see its next request cut off.
        Assert.True(response.Headers.ConnectionClose, "A 413 that leaves the body unread must say Connection: close.");
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Infer_ContentLengthOverTheLimitRepeatedly_EveryFollowingRequestAnswered()
    {
        var body = Padded(Limit + 1);

        for (var i = 0; i < 20; i++)
        {
            using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
            await Infer.ReadErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
            await AssertStillServesAsync();
        }
    }

    [Fact]
    public async Task Infer_ChunkedBodyOverTheLimit_Returns413ThenStillServes()
    {
        var body = Padded(4 * Limit);
        using var content = new StreamContent(new NonSeekableStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), content);

        Assert.Null(content.Headers.ContentLength);
        await Infer.ReadErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.True(response.Headers.ConnectionClose, "A 413 that leaves the body unread must say Connection: close.");
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Infer_ChunkedBinaryBodyOverTheLimit_Returns413()
    {
        var rows = Enumerable.Range(0, 32).ToArray();
        var json = """{"inputs":[{"name":"features","datatype":"FP32","shape":[32,12],"parameters":{"binary_data_size":1536}}]}""";
        var header = Encoding.UTF8.GetBytes(json);
        using var content = new StreamContent(new NonSeekableStream([.. header, .. ExpectedOutputs.CreditRisk.Float32Bytes(rows)]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add(Infer.HeaderLength, header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 1), content);

        await Infer.ReadErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Infer_BodyExactlyAtTheLimit_IsServed()
    {
        var body = Padded(Limit);

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } });
        using var doc = await Infer.ReadJsonAsync(response);

        ExpectedOutputs.CreditRisk.AssertProbabilities(2, [5], Infer.FloatData(Infer.Output(doc, "probability")));
    }

    [Fact]
    public async Task Infer_ChunkedBodyUnderTheLimit_IsServed()
    {
        // Not exactly at the limit: for chunked bodies Kestrel counts the chunk framing (size lines and
        // CRLFs) against MaxRequestBodySize too, so a 1024-byte payload in 100-byte chunks is refused.
        using var content = new StreamContent(new NonSeekableStream(Padded(Limit * 3 / 4)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _client.PostAsync(Infer.Path("credit-risk", 2), content);
        using var doc = await Infer.ReadJsonAsync(response);

        ExpectedOutputs.CreditRisk.AssertProbabilities(2, [5], Infer.FloatData(Infer.Output(doc, "probability")));
    }

    /// <summary>A valid one-row request for fixture row 5, padded with trailing whitespace to <paramref name="length"/> bytes.</summary>
    private static byte[] Padded(int length)
    {
        var json = Infer.CreditRiskJson([5]);
        Assert.True(Encoding.UTF8.GetByteCount(json) < length);
        return Encoding.UTF8.GetBytes(json.PadRight(length));
    }

    private async Task AssertStillServesAsync()
    {
        using var response = await _client.PostJsonAsync(Infer.Path("credit-risk", 1), Infer.CreditRiskJson([2]));
        using var doc = await Infer.ReadJsonAsync(response);
        ExpectedOutputs.CreditRisk.AssertProbabilities(1, [2], Infer.FloatData(Infer.Output(doc, "probability")));
    }
}
