using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Serving.Functional.Tests.Lifecycle;
using Serving.Functional.Tests.Registry;
using Serving.Functional.Tests.Remote;
using Serving.Gateway.Remote;
using Serving.Testing.Common;
using Xunit.Abstractions;

namespace Serving.Functional.Tests.Hosting;

/// <summary>Graceful stop: a worker told to stop (SIGTERM) under load while a gateway forwards to it.</summary>
public sealed class DrainTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_WorkerUnderLoad_ReadinessFailsWhileItServesAndNoRequestIsLost()
    {
        await using var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        string[] shared = [$"--Serving:Redis={redis.ConnectionString}"];
        string[] drain = ["--Serving:Shutdown:DrainDelay=00:00:04", .. shared];
        await using var stopping = await WorkerProcess.StartAsync(drain);
        await using var staying = await WorkerProcess.StartAsync(drain);
        await using var gateway = await RemoteTopology.StartGatewayAsync([stopping, staying], shared);
        var pool = gateway.Services.GetRequiredService<WorkerPool>();

        const int Clients = 4;
        await using var load = new CreditRiskLoad(gateway.Client, Clients);
        await Polling.UntilAsync(() => RemoteTopology.Forwarded("credit-risk", stopping.Address) > 20 && RemoteTopology.Forwarded("credit-risk", staying.Address) > 20,
            "both workers take traffic");
        var retriedBefore = RemoteTopology.Forwarded("credit-risk", stopping.Address, "retried");

        await stopping.SendTerminateAsync();
        using var direct = new HttpClient { BaseAddress = new Uri(stopping.Address), Timeout = TimeSpan.FromSeconds(30) };
        // Readiness fails first, while the worker still answers inference.
        await Polling.UntilAsync(async () =>
        {
            using var ready = await direct.GetAsync("/v2/health/ready");
            return ready.StatusCode == HttpStatusCode.ServiceUnavailable && (await ready.Content.ReadAsStringAsync()).Contains("draining", StringComparison.Ordinal);
        }, "the stopping worker's readiness answers 503 draining");
        using (var live = await direct.GetAsync("/v2/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        using (var answer = await direct.PostJsonAsync(Infer.Path("credit-risk", 2), Infer.CreditRiskJson([3])))
        {
            var (version, probabilities) = await RemoteTopology.ReadCreditRiskAsync(answer);
            ExpectedOutputs.CreditRisk.AssertProbabilities(version, [3], probabilities);
        }
        await Polling.UntilAsync(() => !pool.DestinationReadiness().Single(w => w.Address == stopping.Address).Healthy,
            "the gateway's health check takes the draining worker out");

        await stopping.WaitForExitAsync();
        var target = load.Ok + 200;
        await Polling.UntilAsync(() => load.Ok >= target, "200 more answered requests");
        var retried = RemoteTopology.Forwarded("credit-risk", stopping.Address, "retried") - retriedBefore;
        output.WriteLine($"{load.Ok} answered, {load.Failures.Count} failed, {retried} retried away from the stopped worker; it exited with {stopping.ExitCode}");
        foreach (var failure in load.Failures)
        {
            output.WriteLine("  " + failure);
        }
        Assert.Empty(load.Failures);
        Assert.Equal(0, stopping.ExitCode);
    }
}
