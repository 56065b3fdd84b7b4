using System.Net;
using System.Text.Json;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Remote;

/// <summary>Role <c>all</c> with workers configured: versions loaded here never take an HTTP hop.</summary>
public sealed class LocalVersionsTests
{
    [Fact]
    public async Task Infer_LocalVersionWithWorkerConfigured_ServedInProcessAndNothingForwarded()
    {
        // Nothing listens on port 1: a forwarded request would fail, and would be counted.
        const string Bogus = "http://127.0.0.1:1";
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models,
            [$"--Serving:Workers:0:Address={Bogus}", "--Serving:Workers:0:Models:0=credit-risk", .. RemoteTopology.FastHealth]);
        var fixture = ExpectedOutputs.CreditRisk;

        foreach (var (version, expected) in new (int?, int)[] { (null, 2), (1, 1), (2, 2) })
        {
            for (var row = 0; row < 8; row++)
            {
                using var response = await host.Client.PostJsonAsync(Infer.Path("credit-risk", version), Infer.CreditRiskJson([row]));
                var (answered, probabilities) = await RemoteTopology.ReadCreditRiskAsync(response);
                Assert.Equal(expected, answered);
                fixture.AssertProbabilities(expected, [row], probabilities);
            }
        }

        foreach (var outcome in new[] { "ok", "retried", "failed" })
        {
            Assert.Equal(0.0, RemoteTopology.Forwarded("credit-risk", Bogus, outcome));
        }
    }

    [Fact]
    public async Task Infer_RemoteOnlyModelWithNoReachableWorker_Returns503WithRetryAfter()
    {
        const string Bogus = "http://127.0.0.1:9";
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models,
            [$"--Serving:Workers:0:Address={Bogus}", "--Serving:Workers:0:Models:0=remote-only", .. RemoteTopology.FastHealth]);

        using var response = await host.Client.PostJsonAsync(Infer.Path("remote-only"), Infer.CreditRiskJson([0]));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        using (var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()))
        {
            Assert.Contains("remote-only", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // Models hosted here still answer, and unknown models are still 404.
        using var local = await host.Client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([0]));
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        using var unknown = await host.Client.PostJsonAsync(Infer.Path("no-such-model"), Infer.CreditRiskJson([0]));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // Readiness names the unreachable worker and is 503 while the model it hosts has none healthy.
        using var ready = await host.Client.GetAsync("/v2/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var detail = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        var worker = detail.RootElement.GetProperty("workers")[0];
        Assert.Equal(Bogus, worker.GetProperty("address").GetString());
        Assert.False(worker.GetProperty("healthy").GetBoolean());
    }
}
