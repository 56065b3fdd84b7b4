using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serving.Gateway.Remote;
using Serving.Gateway.Tests.Common;
using Serving.Gateway.Tests.Lifecycle;
using Serving.Gateway.Tests.Registry;
using Xunit.Abstractions;

namespace Serving.Gateway.Tests.Remote;

/// <summary>
/// A gateway (role gateway, real Kestrel in this process) in front of two worker processes (the real
/// binary, role worker) on loopback: forwarding through YARP, the retry on another worker, active and
/// passive health checks, and a worker killed under load.
/// </summary>
public sealed class RemoteVersionsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Infer_GatewayWithTwoWorkers_AnswersMatchNumpyFromBothWorkers()
    {
        await using var first = await WorkerProcess.StartAsync();
        await using var second = await WorkerProcess.StartAsync();
        await using var gateway = await RemoteTopology.StartGatewayAsync([first, second]);
        Assert.Empty(gateway.Models.Catalog.Models);
        var fixture = ExpectedOutputs.CreditRisk;

        for (var row = 0; row < fixture.Rows; row++)
        {
            using var response = await gateway.Client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([row]));
            var (version, probabilities) = await RemoteTopology.ReadCreditRiskAsync(response);
            // The gateway names the registry's Production version (2) in the forwarded path.
            Assert.Equal(2, version);
            Assert.Equal("default", response.Headers.GetValues("x-model-variant").Single());
            fixture.AssertProbabilities(2, [row], probabilities);
        }

        int[] rows = [0, 5, 9, 17, 31];
        using (var batch = await gateway.Client.PostJsonAsync(Infer.Path("credit-risk", 1), Infer.CreditRiskJson(rows, id: "batch-1")))
        {
            var (version, probabilities) = await RemoteTopology.ReadCreditRiskAsync(batch);
            Assert.Equal(1, version);
            fixture.AssertProbabilities(1, rows, probabilities);
        }

        using (var raw = await gateway.Client.PostAsync(Infer.Path("credit-risk", 2), Infer.RawContent(fixture.Float32Bytes(rows))))
        {
            using var doc = await Infer.ReadJsonAsync(raw);
            fixture.AssertProbabilities(2, rows, Infer.FloatData(Infer.Output(doc, "probability")));
        }

        using (var metadata = await gateway.Client.GetAsync("/v2/models/credit-risk"))
        {
            Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
            using var json = JsonDocument.Parse(await metadata.Content.ReadAsStringAsync());
            Assert.Equal("credit-risk", json.RootElement.GetProperty("name").GetString());
        }
        using (var unknown = await gateway.Client.PostJsonAsync(Infer.Path("no-such-model"), Infer.CreditRiskJson([0])))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        Assert.True(RemoteTopology.Forwarded("credit-risk", first.Address) > 0, "the first worker answered nothing");
        Assert.True(RemoteTopology.Forwarded("credit-risk", second.Address) > 0, "the second worker answered nothing");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WorkerKilled_UnderLoad_OtherWorkerAnswersAndRestartedWorkerRejoins(bool sharedRedis)
    {
        RedisServerFixture? redis = null;
        string[] shared = [];
        if (sharedRedis)
        {
            redis = new RedisServerFixture();
            await redis.InitializeAsync();
            shared = [$"--Serving:Redis={redis.ConnectionString}"];
        }
        try
        {
            await using var victim = await WorkerProcess.StartAsync(shared);
            await using var survivor = await WorkerProcess.StartAsync(shared);
            await using var gateway = await RemoteTopology.StartGatewayAsync([victim, survivor], shared);
            var pool = gateway.Services.GetRequiredService<WorkerPool>();
            bool VictimHealthy() => pool.DestinationReadiness().Single(d => d.Address == victim.Address).Healthy;

            const int Clients = 4;
            await using var load = new CreditRiskLoad(gateway.Client, Clients);
            await UntilAnsweredAsync(load, 200);
            Assert.Empty(load.Failures);
            Assert.True(RemoteTopology.Forwarded("credit-risk", victim.Address) > 0, "the victim took no traffic before the kill");

            await victim.KillAsync();
            await UntilAnsweredAsync(load, 300);
            await Polling.UntilAsync(() => !VictimHealthy(), "the health checks mark the killed worker unhealthy");
            var failedAtKill = load.Failures.Count;
            var retried = RemoteTopology.Forwarded("credit-risk", victim.Address, "retried");
            output.WriteLine($"redis={sharedRedis}: {failedAtKill} failed requests at the kill ({Clients} clients), {retried} requests retried on the other worker");
            foreach (var failure in load.Failures)
            {
                output.WriteLine("  " + failure);
            }
            Assert.True(failedAtKill <= Clients, $"{failedAtKill} requests failed, more than the {Clients} that can be in flight at the kill");

            var answeredBefore = RemoteTopology.Forwarded("credit-risk", victim.Address);
            await victim.RestartAsync();
            await Polling.UntilAsync(VictimHealthy, "the restarted worker is healthy again");
            await Polling.UntilAsync(() => RemoteTopology.Forwarded("credit-risk", victim.Address) >= answeredBefore + 50, "the restarted worker takes traffic");
            await UntilAnsweredAsync(load, 50);
            Assert.Equal(failedAtKill, load.Failures.Count);
        }
        finally
        {
            if (redis is not null)
            {
                await redis.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Promote_ThroughGatewayWithSharedRedis_GatewayRoutesToTheNewVersion()
    {
        await using var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        string[] shared = [$"--Serving:Redis={redis.ConnectionString}"];
        await using var first = await WorkerProcess.StartAsync(shared);
        await using var second = await WorkerProcess.StartAsync(shared);
        await using var gateway = await RemoteTopology.StartGatewayAsync([first, second], shared);

        using var promoted = await gateway.Client.PostAsJsonAsync("/admin/models/credit-risk/versions/1/transition",
            new { stage = "Production", approver = "alice", reason = "remote test", force = true, forceReason = "test" });
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);

        var pool = gateway.Services.GetRequiredService<WorkerPool>();
        await Polling.UntilAsync(() => pool.TryGetDefault("credit-risk", out var v) && v == 1, "the gateway's registry view names version 1");
        for (var row = 0; row < 8; row++)
        {
            using var response = await gateway.Client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([row]));
            var (version, probabilities) = await RemoteTopology.ReadCreditRiskAsync(response);
            Assert.Equal(1, version);
            ExpectedOutputs.CreditRisk.AssertProbabilities(1, [row], probabilities);
        }
    }

    private static Task UntilAnsweredAsync(CreditRiskLoad load, int more)
    {
        var target = load.Ok + more;
        return Polling.UntilAsync(() => load.Ok >= target, $"{more} more answered requests");
    }
}
