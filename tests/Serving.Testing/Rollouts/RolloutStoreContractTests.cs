using Serving.Core.Rollouts;
using Serving.Core.Storage;

namespace Serving.Testing.Rollouts;

/// <summary>
/// The behaviour every <see cref="IRolloutStore"/> must have. A store implementation inherits this class
/// and says how to open a store over the test's backing state (a directory, a Redis key prefix);
/// <see cref="OpenStore"/> called twice in one test must give two stores over the same state, which is
/// how a restart and a second replica are simulated.
/// </summary>
/// <remarks>
/// The file store runs it in Serving.Core.Tests, the Redis store in Serving.Functional.Tests (a real
/// redis-server); <see cref="IRolloutStore"/> is internal, which Serving.Core's InternalsVisibleTo admits.
/// </remarks>
public abstract class RolloutStoreContractTests : IDisposable
{
    private readonly List<IRolloutStore> _opened = [];

    /// <summary>Opens a store over this test's backing state (shared by every call within one test, empty at the start of the test).</summary>
    private protected abstract IRolloutStore CreateStore();

    [Fact]
    public async Task GetAsync_NoPolicy_Null()
    {
        IRolloutStore store = OpenStore();

        Assert.Null(await store.GetAsync("fraud"));
        Assert.Null(await store.GetAsync("../etc/passwd"));
        Assert.Empty(await store.ListAsync());
    }

    [Fact]
    public async Task CompareAndSwapAsync_NewPolicyAtRevisionZero_StoredAtRevisionOne()
    {
        IRolloutStore store = OpenStore();

        StoreResult<RolloutPolicy> created = await store.CompareAndSwapAsync(RolloutFixtures.Canary(10));

        Assert.True(created.IsSuccess, created.Error?.Message);
        Assert.Equal(1, created.Value.Revision);
        Assert.Equal(RolloutFixtures.Canary(10) with { Revision = 1 }, await store.GetAsync("fraud"));
    }

    [Fact]
    public async Task CompareAndSwapAsync_CurrentRevision_ReplacesAndIncrements()
    {
        IRolloutStore store = OpenStore();
        RolloutPolicy v1 = (await store.CompareAndSwapAsync(RolloutFixtures.Canary(10))).Value!;

        StoreResult<RolloutPolicy> v2 = await store.CompareAndSwapAsync(v1 with { Canary = v1.Canary! with { Weight = 20 } });

        Assert.True(v2.IsSuccess, v2.Error?.Message);
        Assert.Equal(2, v2.Value.Revision);
        Assert.Equal(20, (await store.GetAsync("fraud"))!.Canary!.Weight);
    }

    [Fact]
    public async Task CompareAndSwapAsync_StaleRevision_ConflictAndStoredPolicyUnchanged()
    {
        IRolloutStore store = OpenStore();
        RolloutPolicy v1 = (await store.CompareAndSwapAsync(RolloutFixtures.Canary(10))).Value!;
        RolloutPolicy v2 = (await store.CompareAndSwapAsync(v1 with { Canary = v1.Canary! with { Weight = 20 } })).Value!;

        StoreResult<RolloutPolicy> stale = await store.CompareAndSwapAsync(v1 with { Canary = v1.Canary! with { Weight = 90 } });

        Assert.False(stale.IsSuccess);
        Assert.Equal(StoreErrorCode.Conflict, stale.Error.Code);
        Assert.Contains("revision 2, not 1", stale.Error.Message, StringComparison.Ordinal);
        Assert.Equal(v2, await store.GetAsync("fraud"));
    }

    [Fact]
    public async Task CompareAndSwapAsync_CreateWhenOneExists_Conflict()
    {
        IRolloutStore store = OpenStore();
        await store.CompareAndSwapAsync(RolloutFixtures.Canary(10));

        StoreResult<RolloutPolicy> second = await store.CompareAndSwapAsync(RolloutFixtures.Canary(50));

        Assert.Equal(StoreErrorCode.Conflict, second.Error!.Code);
        Assert.Equal(10, (await store.GetAsync("fraud"))!.Canary!.Weight);
    }

    [Fact]
    public async Task CompareAndSwapAsync_InvalidPolicy_RejectedAndNotStored()
    {
        IRolloutStore store = OpenStore();

        StoreResult<RolloutPolicy> result = await store.CompareAndSwapAsync(RolloutFixtures.Canary(150));

        Assert.Equal(StoreErrorCode.InvalidArgument, result.Error!.Code);
        Assert.Contains("canary.weight 150 is outside 0-100", result.Error.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetAsync("fraud"));
    }

    [Fact]
    public async Task CompareAndSwapAsync_TwoReplicasRace_ExactlyOneWins()
    {
        IRolloutStore first = OpenStore();
        IRolloutStore second = OpenStore();
        RolloutPolicy v1 = (await first.CompareAndSwapAsync(RolloutFixtures.Canary(10))).Value!;

        var attempts = new List<Task<StoreResult<RolloutPolicy>>>();
        for (int i = 0; i < 8; i++)
        {
            IRolloutStore store = i % 2 == 0 ? first : second;
            RolloutPolicy change = v1 with { Canary = v1.Canary! with { Weight = 20 + i } };
            attempts.Add(Task.Run(() => store.CompareAndSwapAsync(change)));
        }

        StoreResult<RolloutPolicy>[] results = await Task.WhenAll(attempts);

        StoreResult<RolloutPolicy> winner = Assert.Single(results, r => r.IsSuccess);
        Assert.All(results, r => Assert.True(r.IsSuccess || r.Error!.Code == StoreErrorCode.Conflict));
        Assert.Equal(winner.Value, await second.GetAsync("fraud"));
        Assert.Equal(2, winner.Value!.Revision);
    }

    [Fact]
    public async Task OpenStore_AfterRestart_PolicyWithPlanAndProgressSurvives()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(10) with
        {
            Shadow = new ShadowSettings { Version = 5, Percentage = 2.5, DecisionThreshold = 0.7 },
            Plan = RolloutFixtures.Plan(),
            Progress = new RolloutProgress { Status = RolloutStatus.Paused, StepIndex = 1, PauseUntil = RolloutFixtures.T0.AddMinutes(10) },
            UpdatedBy = "alice",
            UpdatedAt = RolloutFixtures.T0,
            Reason = "v4 canary",
        };
        IRolloutStore before = OpenStore();
        RolloutPolicy stored = (await before.CompareAndSwapAsync(policy)).Value!;

        IRolloutStore after = OpenStore();

        Assert.Equal(stored, await after.GetAsync("fraud"));
        Assert.Equal(policy with { Revision = 1 }, stored);
    }

    [Fact]
    public async Task ListAsync_SeveralModels_OrderedByName()
    {
        IRolloutStore store = OpenStore();
        await store.CompareAndSwapAsync(RolloutFixtures.Canary(10, model: "zeta"));
        await store.CompareAndSwapAsync(RolloutFixtures.Canary(10, model: "alpha"));
        await store.CompareAndSwapAsync(RolloutFixtures.BlueGreen() with { Model = "mid" });

        IReadOnlyList<RolloutPolicy> all = await store.ListAsync();

        Assert.Equal(["alpha", "mid", "zeta"], all.Select(p => p.Model));
    }

    [Fact]
    public async Task DeleteAsync_CurrentRevision_Removes()
    {
        IRolloutStore store = OpenStore();
        RolloutPolicy v1 = (await store.CompareAndSwapAsync(RolloutFixtures.Canary(10))).Value!;

        StoreResult<RolloutPolicy> deleted = await store.DeleteAsync("fraud", 1);

        Assert.Equal(v1, deleted.Value);
        Assert.Null(await store.GetAsync("fraud"));
        Assert.Equal(1, (await store.CompareAndSwapAsync(RolloutFixtures.Canary(5))).Value!.Revision);
    }

    [Fact]
    public async Task DeleteAsync_StaleOrMissing_ConflictOrNotFound()
    {
        IRolloutStore store = OpenStore();
        RolloutPolicy v1 = (await store.CompareAndSwapAsync(RolloutFixtures.Canary(10))).Value!;
        await store.CompareAndSwapAsync(v1 with { Canary = v1.Canary! with { Weight = 20 } });

        Assert.Equal(StoreErrorCode.Conflict, (await store.DeleteAsync("fraud", 1)).Error!.Code);
        Assert.Equal(StoreErrorCode.NotFound, (await store.DeleteAsync("other", 1)).Error!.Code);
        Assert.NotNull(await store.GetAsync("fraud"));
    }

    [Fact]
    public async Task WatchAsync_Commit_YieldsTheModel()
    {
        IRolloutStore store = OpenStore();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using IAsyncEnumerator<string> feed = store.WatchAsync(cancellation.Token).GetAsyncEnumerator(cancellation.Token);

        // The subscription starts with the first MoveNextAsync; the change comes after it.
        ValueTask<bool> next = feed.MoveNextAsync();
        await store.CompareAndSwapAsync(RolloutFixtures.Canary(10));

        Assert.True(await next);
        Assert.Equal("fraud", feed.Current);

        next = feed.MoveNextAsync();
        await store.DeleteAsync("fraud", 1);
        Assert.True(await next);
        Assert.Equal("fraud", feed.Current);
    }

    public void Dispose()
    {
        foreach (IRolloutStore store in _opened)
        {
            (store as IDisposable)?.Dispose();
        }

        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the backing state (deletes the directory, flushes the Redis prefix).</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    private IRolloutStore OpenStore()
    {
        IRolloutStore store = CreateStore();
        _opened.Add(store);
        return store;
    }
}
