using System.Net;
using System.Text.Json;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;
using StackExchange.Redis;

namespace Serving.Functional.Tests.Registry;

/// <summary>
/// The data plane keeps serving whatever Redis does: a gateway started while Redis is down serves the
/// repository seed (or its snapshot) and converges when Redis comes up; a Redis that loses its data is
/// restored from a replica's last known state; admin writes that cannot be stored answer 503.
/// Each test runs its own redis-server, since it stops, flushes or never starts it.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RegistryFailSafeTests
{
    private const string Model = "credit-risk";

    [Fact]
    public async Task Start_RedisDown_ServesRepositorySeedThenConvergesWhenRedisStarts()
    {
        var redis = new RedisServerFixture();
        redis.ReservePort();
        var state = Directory.CreateTempSubdirectory("serving-failsafe-").FullName;
        try
        {
            await using var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models, Settings(redis, "down"), stateDirectory: state);

            var inference = await gateway.Client.PostJsonAsync(Infer.Path(Model), Infer.CreditRiskJson([0]));
            Assert.Equal(HttpStatusCode.OK, inference.StatusCode);
            Assert.Equal("2", (await Infer.ReadJsonAsync(inference)).RootElement.GetProperty("model_version").GetString());
            var degraded = await RegistryReadinessAsync(gateway);
            Assert.StartsWith("degraded: registry store unreachable since ", degraded, StringComparison.Ordinal);
            Assert.Contains(": Redis is unreachable (", degraded, StringComparison.Ordinal);
            Assert.Contains("the repository seed", degraded, StringComparison.Ordinal);

            await redis.RestartAsync();

            await PollAsync(async () => await RegistryReadinessAsync(gateway) == "ok", "the registry is reachable again");
            await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            var db = connection.GetDatabase();
            await PollAsync(async () => await db.KeyExistsAsync("down:registry:model:" + Model), "the repository seed is stored in Redis");
            Assert.True(await db.KeyExistsAsync("down:registry:epoch"));
            var snapshot = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(state, "snapshot", "registry.json")));
            Assert.Equal((string?)await db.StringGetAsync("down:registry:epoch"), snapshot.RootElement.GetProperty("epoch").GetString());
            Assert.Equal(Model, snapshot.RootElement.GetProperty("items")[0].GetProperty("name").GetString());
            Assert.Equal(HttpStatusCode.OK, (await gateway.Client.PostJsonAsync(Infer.Path(Model), Infer.CreditRiskJson([1]))).StatusCode);
        }
        finally
        {
            await redis.DisposeAsync();
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task AdminWrites_RedisDown_Answer503WithError()
    {
        var redis = new RedisServerFixture();
        redis.ReservePort();
        await using var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models, Settings(redis, "admin"));

        HttpResponseMessage[] responses =
        [
            await gateway.Client.PostJsonAsync($"/admin/models/{Model}/rollback", """{"actor":"alice","reason":"bad release"}"""),
            await gateway.Client.PostJsonAsync($"/admin/models/{Model}/versions/1/transition", """{"stage":"Staging","approver":"alice","reason":"retest"}"""),
            await gateway.Client.PostJsonAsync($"/admin/rollouts/{Model}/weight", """{"weight":10,"actor":"alice","reason":"ramp"}"""),
            await gateway.Client.DeleteAsync($"/admin/rollouts/{Model}?reason=retire"),
        ];

        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.StartsWith("the store is unavailable, nothing was changed; retry later: Redis is unreachable (",
                json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Redis_FlushedThenRestartedEmptyUnderLoad_NoFailedRequestAndStateRestored()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        try
        {
            await using var first = await GatewayHost.StartAsync(RepositoryPaths.Models, Settings(redis, "flush"));
            await using var second = await GatewayHost.StartAsync(RepositoryPaths.Models, Settings(redis, "flush"));
            await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
            var db = admin.GetDatabase();
            await PollAsync(async () => await db.KeyExistsAsync("flush:registry:epoch"), "the registry has an epoch marker");

            using var stop = new CancellationTokenSource();
            var clients = new Task<(int Ok, List<string> Failures)>[4];
            for (var i = 0; i < clients.Length; i++)
            {
                var gateway = i % 2 == 0 ? first : second;
                clients[i] = Task.Run(() => LoadAsync(gateway.Client, stop.Token));
            }

            await db.ExecuteAsync("FLUSHALL");
            await PollAsync(() => RestoredAsync(db), "a replica restored the flushed registry");

            await redis.KillAsync();
            await redis.RestartAsync();
            await using var afterRestart = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            await PollAsync(() => RestoredAsync(afterRestart.GetDatabase()), "a replica restored the registry of the restarted Redis");

            await stop.CancelAsync();
            var results = await Task.WhenAll(clients);
            Assert.Empty(results.SelectMany(r => r.Failures));
            Assert.All(results, r => Assert.True(r.Ok > 0));

            var state = JsonDocument.Parse((string)(await afterRestart.GetDatabase().HashGetAsync("flush:registry:model:" + Model, "state"))!);
            Assert.Equal(2, state.RootElement.GetProperty("versions").EnumerateArray()
                .Single(v => v.GetProperty("stage").GetString() == "Production").GetProperty("version").GetInt32());
            // Each replica reports ok once its own connection to the restarted Redis is back (not necessarily at once).
            await PollAsync(async () => await RegistryReadinessAsync(first) == "ok", "the first replica's readiness says the registry is ok");
            await PollAsync(async () => await RegistryReadinessAsync(second) == "ok", "the second replica's readiness says the registry is ok");
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    private static async Task<bool> RestoredAsync(IDatabase db)
    {
        foreach (var entry in await db.ListRangeAsync("flush:registry:audit:" + Model))
        {
            using var json = JsonDocument.Parse((string)entry!);
            if (json.RootElement.GetProperty("action").GetString() == "Restore"
                && json.RootElement.GetProperty("reason").GetString()!.StartsWith("store lost its data; restored from replica ", StringComparison.Ordinal))
            {
                return await db.KeyExistsAsync("flush:registry:model:" + Model);
            }
        }

        return false;
    }

    private static async Task<(int Ok, List<string> Failures)> LoadAsync(HttpClient client, CancellationToken stop)
    {
        var ok = 0;
        var failures = new List<string>();
        var body = Infer.CreditRiskJson([0, 1]);
        while (!stop.IsCancellationRequested)
        {
            using var response = await client.PostJsonAsync(Infer.Path(Model), body);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                ok++;
            }
            else
            {
                failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
            }
        }

        return (ok, failures);
    }

    private static string[] Settings(RedisServerFixture redis, string prefix) =>
    [
        $"--Serving:Redis={redis.ConnectionString}",
        $"--Serving:Registry:RedisKeyPrefix={prefix}:registry",
        $"--Serving:Rollouts:RedisKeyPrefix={prefix}:rollouts",
        $"--Serving:Drift:RedisKeyPrefix={prefix}:drift",
    ];

    private static async Task<string> RegistryReadinessAsync(GatewayHost gateway)
    {
        using var response = await gateway.Client.GetAsync("/v2/health/ready");
        return (await Infer.ReadJsonAsync(response)).RootElement.GetProperty("registry").GetString()!;
    }

    private static async Task PollAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until " + what);
            }

            await Task.Delay(20);
        }
    }
}
