using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Registry;
using Serving.Gateway.Registry;
using Serving.Gateway.Rollouts;
using Serving.Testing.Registry;
using Serving.Testing.Rollouts;
using StackExchange.Redis;
using static Serving.Testing.Registry.RegistryTestData;

namespace Serving.Functional.Tests.Registry;

[Collection(RedisCollection.Name)]
public sealed class RedisRegistryStoreTests(RedisServerFixture redis) : RegistryStoreContractTests
{
    private readonly string _prefix = "test:" + Guid.NewGuid().ToString("N");
    private readonly List<ConnectionMultiplexer> _connections = [];

    internal override IRegistryStore CreateStoreCore(RegistryOptions options)
    {
        // One connection per store instance: each instance behaves as a separate gateway replica.
        var connection = Connect();
        return new RedisRegistryStore(connection, _prefix, options, Snapshots.Registry(), Time, NullLogger<RedisRegistryStore>.Instance);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task WatchAsync_ChangeThroughAnotherReplica_IsObserved()
    {
        var writer = CreateStore();
        var watcher = CreateStore();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var feed = watcher.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = feed.MoveNextAsync().AsTask();

        var registered = await writer.RegisterAsync("credit-risk", Version(1), new ChangeContext("alice", null));

        Assert.True(registered.IsSuccess, registered.Error?.Message);
        // The feed's own token (10 s) guards against a hang; how fast the change arrives is not asserted.
        Assert.True(await next, "the other replica's change feed ended without reporting the change");
        Assert.Equal("credit-risk", feed.Current);
        Assert.Equal(1, (await watcher.GetAsync("credit-risk"))!.Revision);
    }

    [Fact]
    public async Task TransitionAsync_ManyReplicasPromotingAtOnce_NeverTwoInProduction()
    {
        var replicas = Enumerable.Range(0, 4).Select(_ => CreateStore()).ToArray();
        await replicas[0].SeedAsync("credit-risk", [Version(1, ("auc", 0.8))]);
        for (var v = 2; v <= 9; v++)
        {
            await replicas[0].RegisterAsync("credit-risk", Version(v, ("auc", 0.8)), new ChangeContext("alice", null));
            await replicas[0].TransitionAsync("credit-risk", v, Stage());
        }

        var results = await Task.WhenAll(Enumerable.Range(2, 8).Select(v =>
            replicas[v % replicas.Length].TransitionAsync("credit-risk", v, Promote($"approver{v}"))));

        Assert.All(results, static r => Assert.True(r.IsSuccess, r.Error?.Message));
        var state = (await replicas[1].GetAsync("credit-risk"))!;
        Assert.Single(state.Versions, static v => v.Stage == ModelStage.Production);
        Assert.Equal(8, state.ProductionHistory.Length);
        var promotions = (await replicas[2].GetAuditAsync("credit-risk")).Where(static e => e.After == "Production").ToList();
        Assert.Equal(9, promotions.Count);
    }

    [Fact]
    public async Task RegisterAsync_Commit_PublishesModelNameAndKeepsAuditList()
    {
        var store = CreateStore();
        var connection = Connect();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(_prefix + ":changed"), (_, message) => received.TrySetResult(message.ToString()));

        await store.RegisterAsync("fraud", Version(1), new ChangeContext("alice", null));
        await store.SetAliasAsync("fraud", "champion", 1, new ChangeContext("alice", null));

        Assert.Equal("fraud", await received.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        var db = connection.GetDatabase();
        Assert.Equal(2, await db.ListLengthAsync($"{_prefix}:audit:fraud"));
        Assert.Equal("2", (string?)await db.HashGetAsync($"{_prefix}:model:fraud", "rev"));
        Assert.True(await db.SetContainsAsync($"{_prefix}:models", "fraud"));
    }

    [Fact]
    public async Task ListAsync_StoreLostItsData_OneReplicaRestoresItWithAnAuditEntry()
    {
        var replicas = Enumerable.Range(0, 3).Select(_ => CreateStore()).ToArray();
        await replicas[0].SeedAsync("credit-risk", [Version(1, ("auc", 0.8)), Version(2, ("auc", 0.9))]);
        await replicas[0].SetAliasAsync("credit-risk", "champion", 2, new ChangeContext("alice", null));
        foreach (var replica in replicas)
        {
            Assert.Single(await replica.ListAsync());
        }

        var before = (await replicas[0].GetAsync("credit-risk"))!;
        await redis.DeleteKeysAsync(_prefix);

        var lists = await Task.WhenAll(replicas.Select(static r => r.ListAsync()));

        Assert.All(lists, list => Assert.Equal(Json(before), Json(Assert.Single(list))));
        var audit = await replicas[1].GetAuditAsync("credit-risk");
        var restore = Assert.Single(audit);
        Assert.Equal(AuditAction.Restore, restore.Action);
        Assert.Equal(before.Revision, restore.Revision);
        Assert.StartsWith("store lost its data; restored from replica ", restore.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransitionAsync_StoreLostItsData_RestoresBeforeCommitting()
    {
        var store = CreateStore();
        await store.SeedAsync("credit-risk", [Version(1, ("auc", 0.8)), Version(2, ("auc", 0.9))]);
        var before = Assert.Single(await store.ListAsync());
        await redis.DeleteKeysAsync(_prefix);

        var staged = await store.TransitionAsync("credit-risk", 1, new TransitionRequest(ModelStage.Archived, "bob", "retired"));

        Assert.True(staged.IsSuccess, staged.Error?.Message);
        Assert.Equal(before.Revision + 1, staged.Value.Revision);
        Assert.Equal(ModelStage.Production, staged.Value.FindVersion(2)!.Stage);
        Assert.Equal([AuditAction.Restore, AuditAction.Transition], (await store.GetAuditAsync("credit-risk")).Select(static e => e.Action));
    }

    [Fact]
    public async Task ListAsync_NewEmptyStore_SetsAnEpochWithoutRestoring()
    {
        var store = CreateStore();

        Assert.Empty(await store.ListAsync());

        var db = Connect().GetDatabase();
        Assert.True(await db.KeyExistsAsync(_prefix + ":epoch"));
        Assert.False(await db.KeyExistsAsync(_prefix + ":models"));
    }

    [Fact]
    public async Task VerifyAuditAsync_EntryEditedInRedis_NamesIt()
    {
        var store = CreateStore();
        using var rollouts = new RedisRolloutStore(Connect(), _prefix + ":rollouts", _prefix, Snapshots.Rollouts(), Time, NullLogger<RedisRolloutStore>.Instance);
        await store.SeedAsync("fraud", [Version(3, ("auc", 0.8)), Version(4, ("auc", 0.9))]);
        await rollouts.CompareAndSwapAsync(RolloutFixtures.Canary(10) with { UpdatedBy = "carol", Reason = "try v4" });
        await store.SetAliasAsync("fraud", "champion", 4, new ChangeContext("alice", "best auc"));
        Assert.Equal(
            [AuditAction.Register, AuditAction.Register, AuditAction.RolloutSet, AuditAction.AliasSet],
            (await store.GetAuditAsync("fraud")).Select(static e => e.Action));
        Assert.Equal(AuditVerification.Ok(4), await store.VerifyAuditAsync("fraud"));
        var db = Connect().GetDatabase();
        var key = _prefix + ":audit:fraud";
        var third = (string)(await db.ListGetByIndexAsync(key, 2))!;
        await db.ListSetByIndexAsync(key, 2, third.Replace("\"carol\"", "\"mallory\"", StringComparison.Ordinal));

        var verification = await store.VerifyAuditAsync("fraud");

        Assert.Equal((false, 4, 3), (verification.Valid, verification.Entries, verification.FirstBroken!.Value));
        Assert.Contains("entry 3 was changed after it was written", verification.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAuditAsync_NewestEntryRemovedInRedis_SaysTruncatedExpectedAgainstFound()
    {
        var store = CreateStore();
        using var rollouts = new RedisRolloutStore(Connect(), _prefix + ":rollouts", _prefix, Snapshots.Rollouts(), Time, NullLogger<RedisRolloutStore>.Instance);
        await store.SeedAsync("fraud", [Version(3, ("auc", 0.8)), Version(4, ("auc", 0.9))]);
        await store.SetAliasAsync("fraud", "champion", 4, new ChangeContext("alice", "best auc"));
        await rollouts.CompareAndSwapAsync(RolloutFixtures.Canary(10) with { UpdatedBy = "carol", Reason = "try v4" });
        Assert.Equal(AuditVerification.Ok(4), await store.VerifyAuditAsync("fraud"));
        var db = Connect().GetDatabase();
        var key = _prefix + ":audit:fraud";
        Assert.Equal("4", (string?)await db.HashGetAsync(key + ":head", "count"));
        await db.ListRightPopAsync(key);

        var verification = await store.VerifyAuditAsync("fraud");

        Assert.Equal((false, 3, 4, 4L), (verification.Valid, verification.Entries, verification.FirstBroken, verification.ExpectedEntries));
        Assert.Equal("the trail was truncated: its head record says 4 entries, found 3; the newest entry (4) was removed", verification.Reason);

        // A later change does not hide the removal: the head counts on from what it recorded.
        await store.SetAliasAsync("fraud", "challenger", 3, new ChangeContext("alice", "compare"));
        var later = await store.VerifyAuditAsync("fraud");
        Assert.Equal((false, 4, 5L), (later.Valid, later.Entries, later.ExpectedEntries));
        await db.KeyDeleteAsync(key + ":head");
        Assert.Contains("has no head record", (await store.VerifyAuditAsync("fraud")).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_RegistryAndRolloutStoresLostTheirData_BothRestoresAuditedInOneIntactTrail()
    {
        var registry = CreateStore();
        using var rollouts = new RedisRolloutStore(Connect(), _prefix + ":rollouts", _prefix, Snapshots.Rollouts(), Time, NullLogger<RedisRolloutStore>.Instance);
        await registry.SeedAsync("fraud", [Version(3, ("auc", 0.8)), Version(4, ("auc", 0.9))]);
        var policy = await rollouts.CompareAndSwapAsync(RolloutFixtures.Canary(10) with { UpdatedBy = "carol", Reason = "try v4" });
        Assert.Single(await registry.ListAsync());
        Assert.Single(await rollouts.ListAsync());
        await redis.DeleteKeysAsync(_prefix);

        Assert.Single(await registry.ListAsync());
        Assert.Single(await rollouts.ListAsync());

        var trail = await registry.GetAuditAsync("fraud");
        Assert.Equal([AuditAction.Restore, AuditAction.RolloutRestore], trail.Select(static e => e.Action));
        Assert.Equal(policy.Value!.Revision, trail[1].Revision);
        Assert.Equal("canary: stable v3, canary v4, weight 10%", trail[1].After);
        Assert.StartsWith("rollout store lost its data; restored the policy from replica ", trail[1].Reason, StringComparison.Ordinal);
        Assert.Equal(AuditVerification.Ok(2), await registry.VerifyAuditAsync("fraud"));
    }

    [Fact]
    public async Task TransitionAsync_AuditHeadMovedByRolloutWrite_ChainStaysIntact()
    {
        var replicas = Enumerable.Range(0, 3).Select(_ => CreateStore()).ToArray();
        using var rollouts = new RedisRolloutStore(Connect(), _prefix + ":rollouts", _prefix, Snapshots.Rollouts(), Time, NullLogger<RedisRolloutStore>.Instance);
        await replicas[0].SeedAsync("fraud", [Version(3, ("auc", 0.8)), Version(4, ("auc", 0.9))]);

        var policy = RolloutFixtures.Canary(1);
        var writes = new List<Task>();
        for (var i = 0; i < 6; i++)
        {
            writes.Add(replicas[i % replicas.Length].SetAliasAsync("fraud", "a" + i, 4, new ChangeContext("alice", null)));
        }

        for (var w = 1; w <= 4; w++)
        {
            var stored = await rollouts.CompareAndSwapAsync(policy);
            Assert.True(stored.IsSuccess, stored.Error?.Message);
            policy = stored.Value with { Canary = stored.Value.Canary! with { Weight = w * 10 } };
        }

        await Task.WhenAll(writes);
        Assert.Equal(AuditVerification.Ok(2 + 6 + 4), await replicas[1].VerifyAuditAsync("fraud"));
    }

    [Fact]
    public async Task AddServingRegistry_RedisConfigured_UsesRedisStoreAndSeedsIntoIt()
    {
        var repository = Directory.CreateTempSubdirectory("serving-redis-seed-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(repository, "fraud", "4"));
            File.WriteAllText(Path.Combine(repository, "fraud", "4", "model.onnx"), "onnx");
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Serving:Redis"] = redis.ConnectionString,
                ["Serving:ModelRepository"] = repository,
                ["Serving:Registry:RedisKeyPrefix"] = _prefix,
                ["Serving:Registry:GateTolerance"] = "0.05",
            }).Build();
            await using var services = new ServiceCollection().AddLogging().AddServingRegistry(configuration).BuildServiceProvider();

            var store = services.GetRequiredService<IRegistryStore>();
            await services.GetRequiredService<RegistrySeeder>().SeedAsync(CancellationToken.None);

            Assert.IsType<RedisRegistryStore>(store);
            Assert.Equal(0.05, services.GetRequiredService<RegistryOptions>().GateTolerance);
            var seeded = await CreateStore().GetAsync("fraud");
            Assert.Equal(4, seeded!.Production!.Version);
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }

    private static string Json(ModelState state) => JsonSerializer.Serialize(state, RegistryJsonContext.Default.ModelState);

    private ConnectionMultiplexer Connect()
    {
        var connection = ConnectionMultiplexer.Connect(redis.ConnectionString);
        _connections.Add(connection);
        return connection;
    }
}
