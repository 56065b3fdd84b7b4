using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Rollouts;
using Serving.Core.Storage;
using Serving.Functional.Tests.Registry;
using Serving.Gateway.Registry;
using Serving.Gateway.Rollouts;
using Serving.Testing.Rollouts;
using StackExchange.Redis;

namespace Serving.Functional.Tests.Rollouts;

[Collection(RedisCollection.Name)]
public sealed class RedisRolloutStoreTests(RedisServerFixture redis) : RolloutStoreContractTests
{
    private readonly string _prefix = "test:rollouts:" + Guid.NewGuid().ToString("N");
    private readonly List<ConnectionMultiplexer> _connections = [];

    // One connection per store instance: each instance behaves as a separate gateway replica.
    private protected override IRolloutStore CreateStore() => Open();

    [Fact]
    public async Task WatchAsync_ChangeThroughAnotherReplica_Observed()
    {
        using var writer = Open();
        using var watcher = Open();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var feed = watcher.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = feed.MoveNextAsync().AsTask();

        var written = await writer.CompareAndSwapAsync(RolloutFixtures.Canary(25));

        Assert.True(written.IsSuccess, written.Error?.Message);
        // The feed's own token (10 s) guards against a hang; how fast the change arrives is not asserted.
        Assert.True(await next, "the other replica's change feed ended without reporting the change");
        Assert.Equal("fraud", feed.Current);
        Assert.Equal(25, (await watcher.GetAsync("fraud"))!.Canary!.Weight);
    }

    [Fact]
    public async Task ListAsync_StoreLostItsData_RestoresTheLastKnownPolicies()
    {
        using var first = Open();
        using var second = Open();
        var written = await first.CompareAndSwapAsync(RolloutFixtures.Canary(25));
        Assert.Single(await first.ListAsync());
        Assert.Single(await second.ListAsync());
        await redis.DeleteKeysAsync(_prefix);

        var lists = await Task.WhenAll(first.ListAsync(), second.ListAsync());

        Assert.All(lists, list => Assert.Equal(Json(written.Value!), Json(Assert.Single(list))));
        using var fresh = Open();
        Assert.Equal(Json(written.Value!), Json((await fresh.GetAsync("fraud"))!));

        // One replica restored it, and the model's audit trail says so (a new trail: the loss took the old one).
        var registry = new RedisRegistryStore(Connect(), _prefix + ":registry", new Serving.Core.Registry.RegistryOptions(), Snapshots.Registry(), TimeProvider.System, NullLogger<RedisRegistryStore>.Instance);
        var restore = Assert.Single(await registry.GetAuditAsync("fraud"));
        Assert.Equal((Serving.Core.Registry.AuditAction.RolloutRestore, written.Value!.Revision), (restore.Action, restore.Revision));
        Assert.StartsWith("replica ", restore.Actor, StringComparison.Ordinal);
        Assert.Contains("(revision 1)", restore.Reason, StringComparison.Ordinal);
        Assert.True((await registry.VerifyAuditAsync("fraud")).Valid);
        registry.Dispose();
    }

    [Fact]
    public async Task CompareAndSwapAsync_StoreLostItsData_RestoresBeforeWriting()
    {
        using var store = Open();
        var written = await store.CompareAndSwapAsync(RolloutFixtures.Canary(25));
        Assert.Single(await store.ListAsync());
        await redis.DeleteKeysAsync(_prefix);

        var stale = await store.CompareAndSwapAsync(RolloutFixtures.Canary(50));
        var moved = await store.CompareAndSwapAsync(written.Value! with { Canary = written.Value!.Canary! with { Weight = 50 } });

        Assert.Equal(StoreErrorCode.Conflict, stale.Error?.Code);
        Assert.True(moved.IsSuccess, moved.Error?.Message);
        Assert.Equal(2, moved.Value.Revision);
    }

    [Fact]
    public async Task CompareAndSwapAsync_Commit_PublishesModelNameAndKeepsDocumentedKeys()
    {
        using var store = Open();
        var connection = Connect();
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(_prefix + ":changed"), (_, message) => received.TrySetResult(message.ToString()));

        await store.CompareAndSwapAsync(RolloutFixtures.Canary(2.5));

        Assert.Equal("fraud", await received.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        var db = connection.GetDatabase();
        Assert.Equal("1", (string?)await db.HashGetAsync($"{_prefix}:policy:fraud", "rev"));
        Assert.Contains("\"weight\":2.5", (string?)await db.HashGetAsync($"{_prefix}:policy:fraud", "policy"), StringComparison.Ordinal);
        Assert.True(await db.SetContainsAsync($"{_prefix}:models", "fraud"));

        await store.DeleteAsync("fraud", 1);

        Assert.False(await db.KeyExistsAsync($"{_prefix}:policy:fraud"));
        Assert.False(await db.SetContainsAsync($"{_prefix}:models", "fraud"));
    }

    [Fact]
    public async Task WatchAsync_SubscriptionConnectionKilled_ReportsEveryKnownModelAfterReconnect()
    {
        using var writer = Open();
        using var watcher = Open();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            // Drain the three messages of the writes (delivered in publish order), so that what the
            // second feed reports comes from the resynchronisation only.
            await using var before = watcher.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
            var written = before.MoveNextAsync().AsTask();
            await writer.CompareAndSwapAsync(RolloutFixtures.Canary(10, model: "alpha"));
            await writer.CompareAndSwapAsync(RolloutFixtures.Canary(10, model: "gone"));
            Assert.NotNull(await watcher.GetAsync("gone"));
            await writer.DeleteAsync("gone", 1);
            Assert.True(await written);
            var seen = new List<string> { before.Current };
            while (seen.Count < 3)
            {
                Assert.True(await before.MoveNextAsync());
                seen.Add(before.Current);
            }

            Assert.Equal(["alpha", "gone", "gone"], seen);
        }

        using var resync = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using var feed = watcher.WatchAsync(resync.Token).GetAsyncEnumerator(resync.Token);
        var first = feed.MoveNextAsync().AsTask();
        await using var admin = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");

        var reported = new SortedSet<string>(StringComparer.Ordinal);
        Assert.True(await first);
        reported.Add(feed.Current);
        while (reported.Count < 2)
        {
            Assert.True(await feed.MoveNextAsync());
            reported.Add(feed.Current);
        }

        // alpha is in Redis; gone is not any more, but this replica knew it and must re-read it.
        Assert.Equal(["alpha", "gone"], reported);
    }

    [Fact]
    public async Task AddServingRollouts_RedisConfigured_RedisStoreOnTheRegistryConnection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serving:Redis"] = redis.ConnectionString,
            ["Serving:Rollouts:RedisKeyPrefix"] = _prefix,
        }).Build();
        var services = new ServiceCollection().AddLogging().AddServingRegistry(configuration).AddServingRollouts(configuration);
        await using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IRolloutStore>();
        await store.CompareAndSwapAsync(RolloutFixtures.Canary(5));

        Assert.IsType<RedisRolloutStore>(store);
        Assert.Single(services, static d => d.ServiceType == typeof(IConnectionMultiplexer));
        using var other = Open();
        Assert.Equal(5, (await other.GetAsync("fraud"))!.Canary!.Weight);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }
    }

    private static string Json(RolloutPolicy policy) => JsonSerializer.Serialize(policy, RolloutJsonContext.Default.RolloutPolicy);

    private RedisRolloutStore Open() => new(Connect(), _prefix, _prefix + ":registry", Snapshots.Rollouts(), TimeProvider.System, NullLogger<RedisRolloutStore>.Instance);

    private ConnectionMultiplexer Connect()
    {
        var connection = ConnectionMultiplexer.Connect(redis.ConnectionString);
        _connections.Add(connection);
        return connection;
    }
}
