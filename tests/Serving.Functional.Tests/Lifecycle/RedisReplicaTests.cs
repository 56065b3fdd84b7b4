using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Registry;
using Serving.Testing.Common;
using Xunit.Abstractions;

namespace Serving.Functional.Tests.Lifecycle;

/// <summary>Gateway replicas sharing one real redis-server, and what happens when it goes away.</summary>
public sealed class RedisReplicaTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Promote_ThroughOneReplica_IsServedByTheOther()
    {
        await using var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        string[] settings = [$"--Serving:Redis={redis.ConnectionString}"];
        await using var first = await GatewayHost.StartAsync(RepositoryPaths.Models, settings);
        await using var second = await GatewayHost.StartAsync(RepositoryPaths.Models, settings);
        Assert.Equal(2, HotSwapTests.DefaultVersion(second));

        var watch = Stopwatch.StartNew();
        using var promoted = await first.Client.PostAsJsonAsync("/admin/models/credit-risk/versions/1/transition",
            new { stage = "Production", approver = "alice", reason = "replica test", force = true, forceReason = "test" });
        Assert.Equal(200, (int)promoted.StatusCode);
        await Polling.UntilAsync(() => HotSwapTests.DefaultVersion(second) == 1, "the second replica serves version 1");
        watch.Stop();

        using var response = await second.Client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([3]));
        Assert.Equal("1", response.Headers.GetValues("x-model-version").Single());
        // Reported, not asserted: wall-clock time depends on the machine.
        output.WriteLine($"promotion through replica 1 served by replica 2 after {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task RedisKilled_WhileServing_NoRequestFailsAndStateReconcilesOnRestart()
    {
        var data = Directory.CreateTempSubdirectory("serving-redis-").FullName;
        await using var redis = new RedisServerFixture { DataDirectory = data };
        await redis.InitializeAsync();
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models, [$"--Serving:Redis={redis.ConnectionString}"]);
        var store = host.Services.GetRequiredService<IRegistryStore>();
        await HotSwapTests.PromoteAsync(store, 1);
        await Polling.UntilAsync(() => HotSwapTests.DefaultVersion(host) == 1, "version 1 serves");

        await using (var load = new CreditRiskLoad(host.Client, clients: 4))
        {
            await load.WaitForAsync(1, 20);
            await redis.KillAsync();
            await Polling.UntilAsync(() => Registry(host).StartsWith("degraded", StringComparison.Ordinal), "readiness reports the registry degraded");
            await load.WaitForAsync(1, 200);
            Assert.Equal(1, HotSwapTests.DefaultVersion(host));

            await redis.RestartAsync();
            await Polling.UntilAsync(() => Registry(host) == "ok", "the registry is reachable again");
            await load.WaitForAsync(1, 20);
            Assert.Empty(load.Failures);
        }

        var state = await store.GetAsync("credit-risk");
        Assert.Equal(1, state!.Production!.Version);
        var rolledBack = await store.RollbackAsync("credit-risk", new ChangeContext("test", "after the outage"));
        Assert.True(rolledBack.IsSuccess, rolledBack.Error?.Message);
        await Polling.UntilAsync(() => HotSwapTests.DefaultVersion(host) == 2, "the rollback after the outage is served");
    }

    private static string Registry(GatewayHost host)
    {
        using var response = host.Client.GetAsync("/v2/health/ready").GetAwaiter().GetResult();
        using var json = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        return json.RootElement.GetProperty("registry").GetString()!;
    }
}
