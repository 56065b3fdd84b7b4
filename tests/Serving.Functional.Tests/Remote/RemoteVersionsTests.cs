using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Lifecycle;
using Serving.Gateway.Remote;
using Serving.Gateway.Rollouts;
using Serving.Testing.Common;
using Xunit.Abstractions;

namespace Serving.Functional.Tests.Remote;

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
        await using var topology = await SharedRedisTopology.StartAsync(workers: 2);
        var (first, second, gateway) = (topology.Workers[0], topology.Workers[1], topology.Gateway);
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

        using (var withHeader = new HttpRequestMessage(HttpMethod.Post, Infer.Path("credit-risk")))
        {
            // The request id survives forwarding: the client's header, else the one the gateway assigns, is what the worker echoes.
            withHeader.Content = new StringContent(Infer.CreditRiskJson([0]), System.Text.Encoding.UTF8, "application/json");
            withHeader.Headers.Add("x-request-id", "client-7");
            using var echoed = await gateway.Client.SendAsync(withHeader);
            using var doc = await Infer.ReadJsonAsync(echoed);
            Assert.Equal("client-7", doc.RootElement.GetProperty("id").GetString());
            Assert.Equal("client-7", echoed.Headers.GetValues("x-request-id").Single());
        }
        using (var assigned = await gateway.Client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([0])))
        {
            using var doc = await Infer.ReadJsonAsync(assigned);
            var id = doc.RootElement.GetProperty("id").GetString()!;
            Assert.Matches("^[0-9a-f]{8}-[0-9]+$", id);
            Assert.Equal(id, assigned.Headers.GetValues("x-request-id").Single());
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

        // A worker's 404 is forwarded as it is, and counted as a client error, not as ok.
        var okBefore = RemoteTopology.Forwarded("credit-risk", first.Address) + RemoteTopology.Forwarded("credit-risk", second.Address);
        using (var missing = await gateway.Client.PostJsonAsync(Infer.Path("credit-risk", 99), Infer.CreditRiskJson([0])))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        Assert.Equal(1.0, RemoteTopology.Forwarded("credit-risk", first.Address, "client_error") + RemoteTopology.Forwarded("credit-risk", second.Address, "client_error"));
        Assert.Equal(okBefore, RemoteTopology.Forwarded("credit-risk", first.Address) + RemoteTopology.Forwarded("credit-risk", second.Address));
    }

    [Fact]
    public async Task Start_GatewayWithWorkersWithoutRedis_RefusesNamingTheSetting()
    {
        // Each worker would have its own registry (docs: README, "Scaling out"): refused before serving anything.
        var refused = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            GatewayHost.StartAsync(RepositoryPaths.Models, ["--Serving:Role=gateway", "--Serving:Workers:0:Address=http://127.0.0.1:9"]));

        Assert.Contains("set Serving:Redis", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerKilled_UnderLoad_OtherWorkerAnswersAndRestartedWorkerRejoins()
    {
        await using var topology = await SharedRedisTopology.StartAsync(workers: 2);
        var (victim, gateway) = (topology.Workers[0], topology.Gateway);
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
        output.WriteLine($"{failedAtKill} failed requests at the kill ({Clients} clients), {retried} requests retried on the other worker");
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

    [Fact]
    public async Task Promote_ThroughGatewayWithSharedRedis_GatewayRoutesToTheNewVersion()
    {
        await using var topology = await SharedRedisTopology.StartAsync(workers: 2);
        var gateway = topology.Gateway;

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

    [Fact]
    public async Task Route_RolloutVersionArchived_GatewayForwardsToProductionAndCountsTheFallback()
    {
        await using var topology = await SharedRedisTopology.StartAsync(workers: 1);
        var (worker, gateway) = (topology.Workers[0], topology.Gateway);
        // The seed puts version 1 in Staging: blue-green sends all default traffic to it.
        using (var set = await gateway.Client.PutAsync("/admin/rollouts/credit-risk?actor=test&reason=remote",
            new StringContent("""{"model":"credit-risk","mode":"blue_green","blue_green":{"active_version":1}}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, set.StatusCode);
        }
        await gateway.Services.GetRequiredService<RolloutSyncService>().RefreshAsync(default);
        using (var active = await gateway.Client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([0])))
        {
            Assert.Equal(1, (await RemoteTopology.ReadCreditRiskAsync(active)).Version);
        }

        // Version 1 is archived behind the policy's back: the worker unloads it, the policy still names it.
        var archived = await gateway.Services.GetRequiredService<IRegistryStore>().TransitionAsync("credit-risk", 1, new TransitionRequest(ModelStage.Archived, "test", "retired"));
        Assert.True(archived.IsSuccess, archived.Error?.Message);
        var pool = gateway.Services.GetRequiredService<WorkerPool>();
        await Polling.UntilAsync(() => !pool.IsLoadedByWorkers("credit-risk", 1), "the gateway sees version 1 leave");
        var before = RemoteTopology.Forwarded("credit-risk", worker.Address, "client_error");

        for (var row = 0; row < 8; row++)
        {
            using var response = await gateway.Client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([row]));
            var (version, probabilities) = await RemoteTopology.ReadCreditRiskAsync(response);
            Assert.Equal(2, version);
            Assert.Equal("default", response.Headers.GetValues("x-model-variant").Single());
            ExpectedOutputs.CreditRisk.AssertProbabilities(2, [row], probabilities);
        }
        Assert.Equal(before, RemoteTopology.Forwarded("credit-risk", worker.Address, "client_error"));
    }

    private static Task UntilAnsweredAsync(CreditRiskLoad load, int more)
    {
        var target = load.Ok + more;
        return Polling.UntilAsync(() => load.Ok >= target, $"{more} more answered requests");
    }
}
