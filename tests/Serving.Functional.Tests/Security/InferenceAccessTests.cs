using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Grpc.Protocol;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Security;

/// <summary>API keys, JWT bearer tokens and per-identity quotas on the inference API, over REST and gRPC.</summary>
public sealed class InferenceAccessTests(InferenceAccessFixture fixture) : IClassFixture<InferenceAccessFixture>, IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Host.GrpcAddress!);

    private HttpClient Client => fixture.Host.Client;

    private GRPCInferenceService.GRPCInferenceServiceClient Grpc => new(_channel);

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Infer_WithoutOrWithWrongCredential_401WithErrorWhileHealthStaysOpen()
    {
        using var none = await InferAsync(null);
        using var wrong = await InferAsync(static r => r.Headers.Add("x-api-key", "k-guessed"));
        using var metadata = await Client.GetAsync("/v2/models/credit-risk");
        using var ready = await Client.GetAsync("/v2/health/ready");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.StartsWith("Inference needs a credential", await ErrorOf(none));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.StartsWith("The credential presented is not valid", await ErrorOf(wrong));
        Assert.Equal(HttpStatusCode.Unauthorized, metadata.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Infer_ApiKeyInEitherHeaderOrKeyFile_Answers()
    {
        using var byHeader = await InferAsync(static r => r.Headers.Add("x-api-key", "k-limited-not"));
        using var bearer = await InferAsync(static r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "k-steady"));
        using var apiKey = await InferAsync(static r => r.Headers.Add("x-api-key", "k-steady"));

        Assert.Equal(HttpStatusCode.Unauthorized, byHeader.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, apiKey.StatusCode);
    }

    [Fact]
    public async Task Infer_KeyOverItsQuota_429WithRetryAfterAnotherKeyUnaffected()
    {
        const string Series = "serving_quota_rejections_total{identity=\"limited\"}";
        var rejectedBefore = await Scrape.ValueAsync(Client, Series) ?? 0;

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 3; i++)
        {
            var response = await InferAsync(static r => r.Headers.Add("x-api-key", "k-limited"));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }
        using var other = await InferAsync(static r => r.Headers.Add("x-api-key", "k-steady"));
        var rejectedAfter = await Scrape.ValueAsync(Client, Series);
        var otherRejected = await Scrape.ValueAsync(Client, "serving_quota_rejections_total{identity=\"steady\"}");

        // Two within the burst; the third finds the bucket empty (it refills one request in 100 s).
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        using (refused)
        {
            var retryAfter = refused!.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter!.Value.TotalSeconds, 1, 100);
            Assert.StartsWith("'limited' is over its quota of 0.01 requests/s (burst 2)", await ErrorOf(refused));
        }
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(rejectedBefore + 1, rejectedAfter);
        // Every configured identity has its series from the start, at 0 until refused.
        Assert.Equal(0, otherRejected);
    }

    [Fact]
    public async Task Grpc_NoKeyUnauthenticatedOverQuotaResourceExhaustedLiveOpen()
    {
        var key = new Metadata { { "x-api-key", "k-grpc-limited" } };

        var live = await Grpc.ServerLiveAsync(new ServerLiveRequest());
        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await Grpc.ModelInferAsync(CreditRiskGrpc.OneRow()));
        var first = await Grpc.ModelInferAsync(CreditRiskGrpc.OneRow(), key);
        var second = await Assert.ThrowsAsync<RpcException>(async () => await Grpc.ModelInferAsync(CreditRiskGrpc.OneRow(), key));

        Assert.True(live.Live);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal("credit-risk", first.ModelName);
        Assert.Equal(StatusCode.ResourceExhausted, second.StatusCode);
        Assert.Contains("'grpc-limited' is over its quota", second.Status.Detail);
        Assert.NotNull(second.Trailers.GetValue("retry-after"));
    }

    [Fact]
    public async Task Infer_Jwt_ValidAnswersWrongAudienceExpiredOrForeignKeyRefused()
    {
        var now = DateTime.UtcNow;
        var valid = Token(now.AddMinutes(5), "serving", InferenceAccessFixture.JwtSecret);
        var wrongAudience = Token(now.AddMinutes(5), "another-service", InferenceAccessFixture.JwtSecret);
        var expired = Token(now.AddMinutes(-5), "serving", InferenceAccessFixture.JwtSecret);
        var foreign = Token(now.AddMinutes(5), "serving", "some-other-secret-that-is-also-32-bytes-long");

        using var accepted = await InferAsync(r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", valid));
        using var audience = await InferAsync(r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrongAudience));
        using var late = await InferAsync(r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", expired));
        using var forged = await InferAsync(r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", foreign));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, audience.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    private static string Token(DateTime expires, string audience, string secret) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "https://issuer.test",
        Audience = audience,
        Subject = new ClaimsIdentity([new Claim("sub", "svc-scoring")]),
        IssuedAt = expires.AddMinutes(-10),
        NotBefore = expires.AddMinutes(-10),
        Expires = expires,
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
    });

    private async Task<HttpResponseMessage> InferAsync(Action<HttpRequestMessage>? authenticate)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Infer.Path("credit-risk"))
        {
            Content = new StringContent(Infer.CreditRiskJson([0]), Encoding.UTF8, "application/json"),
        };
        authenticate?.Invoke(request);
        return await Client.SendAsync(request);
    }

    private static async Task<string?> ErrorOf(HttpResponseMessage response) =>
        (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"];
}
