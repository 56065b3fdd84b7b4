using Serving.Core.Registry;
using Serving.Core.Storage;
using Serving.Testing.Common;
using static Serving.Testing.Registry.RegistryTestData;

namespace Serving.Testing.Registry;

/// <summary>
/// The behaviour every <see cref="IRegistryStore"/> promises, run against each store by a subclass
/// (the file store's in Serving.Core.Tests, the Redis store's in Serving.Functional.Tests).
/// </summary>
public abstract class RegistryStoreContractTests : IAsyncLifetime
{
    private const string Model = "credit-risk";
    private readonly List<IRegistryStore> _stores = [];

    protected ManualTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 22, 18, 40, 0, TimeSpan.Zero));

    /// <summary>A new store instance over the backing storage of this test (a restart, or another replica).</summary>
    internal abstract IRegistryStore CreateStoreCore(RegistryOptions options);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            (store as IDisposable)?.Dispose();
        }

        return Task.CompletedTask;
    }

    internal IRegistryStore CreateStore(RegistryOptions? options = null)
    {
        var store = CreateStoreCore(options ?? new RegistryOptions());
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task RegisterAsync_NewModel_CreatesVersionInStageNone()
    {
        var store = CreateStore();

        var result = await store.RegisterAsync(Model, Version(1, ("auc", 0.78)), new ChangeContext("alice", "first model"));

        Assert.True(result.IsSuccess, result.Error?.Message);
        var version = Assert.Single(result.Value.Versions);
        Assert.Equal(1, version.Version);
        Assert.Equal(ModelStage.None, version.Stage);
        Assert.Equal(Sha, version.Sha256);
        Assert.Equal("credit-risk/1/model.onnx", version.Artifact);
        Assert.Equal(0.78, version.Metrics["auc"]);
        Assert.Equal(["age", "income"], version.Features.ToArray());
        Assert.Equal("risk-team", version.Tags["owner"]);
        Assert.Equal("sha256:feed", version.TrainingDataFingerprint);
        Assert.Equal("3e1a9f2", version.CodeCommit);
        Assert.Equal(Time.GetUtcNow(), version.Created);
        Assert.Equal(1, result.Value.Revision);
    }

    [Fact]
    public async Task GetAsync_AfterRegister_ReturnsStoredState()
    {
        var store = CreateStore();
        await store.RegisterAsync(Model, Version(3, ("auc", 0.7)), new ChangeContext("alice", null));

        var state = await store.GetAsync(Model);

        Assert.NotNull(state);
        Assert.Equal(Model, state.Name);
        Assert.Equal(3, Assert.Single(state.Versions).Version);
        Assert.Equal(0.7, state.Versions[0].Metrics["auc"]);
    }

    [Fact]
    public async Task GetAsync_UnknownOrInvalidModel_ReturnsNull()
    {
        var store = CreateStore();

        Assert.Null(await store.GetAsync("nope"));
        Assert.Null(await store.GetAsync("../etc"));
    }

    [Fact]
    public async Task RegisterAsync_WithoutVersion_TakesNextAfterHighest()
    {
        var store = CreateStore();
        await store.RegisterAsync(Model, Version(4), new ChangeContext("alice", null));

        var result = await store.RegisterAsync(Model, Version(null), new ChangeContext("alice", null));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal([4, 5], result.Value.Versions.Select(static v => v.Version));
    }

    [Fact]
    public async Task RegisterAsync_ExistingVersion_ReturnsAlreadyExists()
    {
        var store = CreateStore();
        await store.RegisterAsync(Model, Version(1), new ChangeContext("alice", null));

        var result = await store.RegisterAsync(Model, Version(1), new ChangeContext("alice", null));

        Assert.Equal(StoreErrorCode.AlreadyExists, result.Error?.Code);
    }

    [Fact]
    public async Task RegisterAsync_InvalidModelName_ReturnsInvalidArgument()
    {
        var store = CreateStore();

        var result = await store.RegisterAsync("../x", Version(1), new ChangeContext("alice", null));

        Assert.Equal(StoreErrorCode.InvalidArgument, result.Error?.Code);
    }

    [Fact]
    public async Task ListAsync_SeveralModels_ReturnsAllOrderedByName()
    {
        var store = CreateStore();
        await store.RegisterAsync("zeta", Version(1), new ChangeContext("alice", null));
        await store.RegisterAsync("alpha", Version(1), new ChangeContext("alice", null));

        var models = await store.ListAsync();

        Assert.Equal(["alpha", "zeta"], models.Select(static m => m.Name));
    }

    [Fact]
    public async Task TransitionAsync_NoneToProduction_ReturnsInvalidTransition()
    {
        var store = CreateStore();
        await store.RegisterAsync(Model, Version(1), new ChangeContext("alice", null));

        var result = await store.TransitionAsync(Model, 1, Promote());

        Assert.Equal(StoreErrorCode.InvalidTransition, result.Error?.Code);
        Assert.Contains("None", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransitionAsync_ToProductionWithoutApproverOrReason_ReturnsApprovalRequired()
    {
        var store = CreateStore();
        await RegisterStagedAsync(store, 1);

        var noApprover = await store.TransitionAsync(Model, 1, new TransitionRequest(ModelStage.Production, null, "why"));
        var noReason = await store.TransitionAsync(Model, 1, new TransitionRequest(ModelStage.Production, "alice", " "));

        Assert.Equal(StoreErrorCode.ApprovalRequired, noApprover.Error?.Code);
        Assert.Equal(StoreErrorCode.ApprovalRequired, noReason.Error?.Code);
    }

    [Fact]
    public async Task TransitionAsync_UnknownVersion_ReturnsNotFound()
    {
        var store = CreateStore();
        await store.RegisterAsync(Model, Version(1), new ChangeContext("alice", null));

        var result = await store.TransitionAsync(Model, 9, Stage());

        Assert.Equal(StoreErrorCode.NotFound, result.Error?.Code);
    }

    [Fact]
    public async Task TransitionAsync_PromoteCandidate_ArchivesPreviousProduction()
    {
        var store = CreateStore();
        await RegisterStagedAsync(store, 1, ("auc", 0.70));
        await store.TransitionAsync(Model, 1, Promote());
        await RegisterStagedAsync(store, 2, ("auc", 0.75));

        var result = await store.TransitionAsync(Model, 2, Promote("carol", "v2 wins the A/B"));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(ModelStage.Archived, result.Value.FindVersion(1)!.Stage);
        Assert.Equal(ModelStage.Production, result.Value.FindVersion(2)!.Stage);
        Assert.Equal(2, result.Value.Production!.Version);
        Assert.Single(result.Value.Versions, static v => v.Stage == ModelStage.Production);
        var audit = await store.GetAuditAsync(Model);
        var promotion = audit[^2];
        Assert.Equal((AuditAction.Transition, 2, "Staging", "Production", "carol", "v2 wins the A/B"),
            (promotion.Action, promotion.Version, promotion.Before, promotion.After, promotion.Actor, promotion.Reason));
        var archived = audit[^1];
        Assert.Equal((AuditAction.Transition, 1, "Production", "Archived"), (archived.Action, archived.Version, archived.Before, archived.After));
    }

    [Fact]
    public async Task TransitionAsync_RegressionBeyondTolerance_IsRefusedWithTheNumbers()
    {
        var store = CreateStore();
        await RegisterStagedAsync(store, 1, ("auc", 0.781), ("log_loss", 0.51));
        await store.TransitionAsync(Model, 1, Promote());
        await RegisterStagedAsync(store, 2, ("auc", 0.75), ("log_loss", 0.515));

        var result = await store.TransitionAsync(Model, 2, Promote());

        Assert.Equal(StoreErrorCode.GateRejected, result.Error?.Code);
        // auc: 0.781 - 0.75 = 0.031 > 0.01; log_loss: 0.515 - 0.51 = 0.005 is within tolerance.
        Assert.Contains("auc 0.75 vs production 0.781", result.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("worse by 0.031", result.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("log_loss", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await store.GetAsync(Model))!.Production!.Version);
    }

    [Fact]
    public async Task TransitionAsync_LossRegression_IsRefused()
    {
        var store = CreateStore();
        await RegisterStagedAsync(store, 1, ("log_loss", 0.50));
        await store.TransitionAsync(Model, 1, Promote());
        await RegisterStagedAsync(store, 2, ("log_loss", 0.52));

        var result = await store.TransitionAsync(Model, 2, Promote());

        Assert.Equal(StoreErrorCode.GateRejected, result.Error?.Code);
        Assert.Contains("log_loss 0.52 vs production 0.5", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransitionAsync_ConfiguredTolerance_AllowsSmallerRegression()
    {
        var store = CreateStore(new RegistryOptions { GateTolerance = 0.05 });
        await RegisterStagedAsync(store, 1, ("auc", 0.781));
        await store.TransitionAsync(Model, 1, Promote());
        await RegisterStagedAsync(store, 2, ("auc", 0.75));

        var result = await store.TransitionAsync(Model, 2, Promote());

        Assert.True(result.IsSuccess, result.Error?.Message);
    }

    [Fact]
    public async Task TransitionAsync_ForcedRegressionWithReason_PromotesAndAudits()
    {
        var store = CreateStore();
        await RegisterStagedAsync(store, 1, ("auc", 0.781));
        await store.TransitionAsync(Model, 1, Promote());
        await RegisterStagedAsync(store, 2, ("auc", 0.70));

        var result = await store.TransitionAsync(Model, 2,
            new TransitionRequest(ModelStage.Production, "alice", "hotfix", Force: true, ForceReason: "v1 leaks PII"));

        Assert.True(result.IsSuccess, result.Error?.Message);
        var entry = (await store.GetAuditAsync(Model))[^2];
        Assert.True(entry.Forced);
        Assert.Equal("v1 leaks PII", entry.ForceReason);
        Assert.Equal(2, entry.Version);
    }

    [Fact]
    public async Task TransitionAsync_ForcedWithoutForceReason_ReturnsApprovalRequired()
    {
        var store = CreateStore();
        await RegisterStagedAsync(store, 1);

        var result = await store.TransitionAsync(Model, 1, new TransitionRequest(ModelStage.Production, "alice", "why", Force: true));

        Assert.Equal(StoreErrorCode.ApprovalRequired, result.Error?.Code);
    }

    [Fact]
    public async Task RollbackAsync_AfterPromotion_RestoresPreviousProduction()
    {
        var store = CreateStore();
        await RegisterStagedAsync(store, 1, ("auc", 0.70));
        await store.TransitionAsync(Model, 1, Promote());
        await RegisterStagedAsync(store, 2, ("auc", 0.71));
        await store.TransitionAsync(Model, 2, Promote());

        var result = await store.RollbackAsync(Model, new ChangeContext("oncall", "latency spike"));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(1, result.Value.Production!.Version);
        Assert.Equal(ModelStage.Archived, result.Value.FindVersion(2)!.Stage);
        var audit = await store.GetAuditAsync(Model);
        Assert.All(audit.TakeLast(2), static e => Assert.Equal((AuditAction.Rollback, "oncall", "latency spike"), (e.Action, e.Actor, e.Reason)));
        Assert.Equal((1, "Archived", "Production"), (audit[^2].Version, audit[^2].Before, audit[^2].After));
        Assert.Equal((2, "Production", "Archived"), (audit[^1].Version, audit[^1].Before, audit[^1].After));
    }

    [Fact]
    public async Task RollbackAsync_NoPreviousProduction_ReturnsNoPreviousProduction()
    {
        var store = CreateStore();
        await RegisterStagedAsync(store, 1);
        await store.TransitionAsync(Model, 1, Promote());

        var result = await store.RollbackAsync(Model, new ChangeContext("oncall", "why"));

        Assert.Equal(StoreErrorCode.NoPreviousProduction, result.Error?.Code);
    }

    [Fact]
    public async Task RollbackAsync_WithoutReason_ReturnsApprovalRequired()
    {
        var store = CreateStore();
        await RegisterStagedAsync(store, 1);

        var result = await store.RollbackAsync(Model, new ChangeContext("oncall", null));

        Assert.Equal(StoreErrorCode.ApprovalRequired, result.Error?.Code);
    }

    [Fact]
    public async Task SetAliasAsync_ThenRemove_ResolvesAndAudits()
    {
        var store = CreateStore();
        await store.RegisterAsync(Model, Version(1), new ChangeContext("alice", null));
        await store.RegisterAsync(Model, Version(2), new ChangeContext("alice", null));

        await store.SetAliasAsync(Model, "champion", 1, new ChangeContext("alice", "baseline"));
        var moved = await store.SetAliasAsync(Model, "champion", 2, new ChangeContext("bob", "new champ"));
        var removed = await store.RemoveAliasAsync(Model, "champion", new ChangeContext("carol", "retire"));

        Assert.Equal(2, moved.Value!.ResolveAlias("champion")!.Version);
        Assert.True(removed.IsSuccess, removed.Error?.Message);
        Assert.Empty(removed.Value.Aliases);
        var audit = await store.GetAuditAsync(Model);
        Assert.Equal((AuditAction.AliasSet, "champion", "1", "2", "bob"), (audit[^2].Action, audit[^2].Alias, audit[^2].Before, audit[^2].After, audit[^2].Actor));
        Assert.Equal((AuditAction.AliasRemove, "champion", "2", "carol", "retire"), (audit[^1].Action, audit[^1].Alias, audit[^1].Before, audit[^1].Actor, audit[^1].Reason));
    }

    [Fact]
    public async Task SetAliasAsync_SameVersionAgain_ChangesNothing()
    {
        var store = CreateStore();
        await store.RegisterAsync(Model, Version(1), new ChangeContext("alice", null));
        var first = await store.SetAliasAsync(Model, "champion", 1, new ChangeContext("alice", null));

        var again = await store.SetAliasAsync(Model, "champion", 1, new ChangeContext("alice", null));

        Assert.Equal(first.Value!.Revision, again.Value!.Revision);
        Assert.Equal(2, (await store.GetAuditAsync(Model)).Count);
    }

    [Fact]
    public async Task SetAliasAsync_UnknownVersionOrBadName_IsRefused()
    {
        var store = CreateStore();
        await store.RegisterAsync(Model, Version(1), new ChangeContext("alice", null));

        var unknown = await store.SetAliasAsync(Model, "champion", 7, new ChangeContext("alice", null));
        var badName = await store.SetAliasAsync(Model, "7up", 1, new ChangeContext("alice", null));
        var notSet = await store.RemoveAliasAsync(Model, "champion", new ChangeContext("alice", null));

        Assert.Equal(StoreErrorCode.NotFound, unknown.Error?.Code);
        Assert.Equal(StoreErrorCode.InvalidArgument, badName.Error?.Code);
        Assert.Equal(StoreErrorCode.NotFound, notSet.Error?.Code);
    }

    [Fact]
    public async Task GetAuditAsync_EveryChange_RecordsWhoWhenWhatWhy()
    {
        var store = CreateStore();
        await store.RegisterAsync(Model, Version(1), new ChangeContext("alice", "initial"));
        Time.Advance(TimeSpan.FromMinutes(5));
        await store.TransitionAsync(Model, 1, new TransitionRequest(ModelStage.Staging, "bob", "ready for canary"));

        var audit = await store.GetAuditAsync(Model);

        Assert.Equal(2, audit.Count);
        Assert.Equal((Model, 1L, AuditAction.Register, "alice", "initial", "None"),
            (audit[0].Model, audit[0].Revision, audit[0].Action, audit[0].Actor, audit[0].Reason, audit[0].After));
        Assert.Equal((2L, AuditAction.Transition, "bob", "ready for canary", "None", "Staging"),
            (audit[1].Revision, audit[1].Action, audit[1].Actor, audit[1].Reason, audit[1].Before, audit[1].After));
        Assert.Equal(audit[0].Timestamp + TimeSpan.FromMinutes(5), audit[1].Timestamp);
    }

    [Fact]
    public async Task SeedAsync_NewModel_HighestProductionRestStaging()
    {
        var store = CreateStore();

        var result = await store.SeedAsync(Model, [Version(2), Version(1), Version(3)]);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal([ModelStage.Staging, ModelStage.Staging, ModelStage.Production], result.Value.Versions.Select(static v => v.Stage));
        Assert.All(await store.GetAuditAsync(Model), static e => Assert.Equal("seed", e.Actor));
        // Seeded versions were never Production, so there is nothing to roll back to yet.
        var rolledBack = await store.RollbackAsync(Model, new ChangeContext("oncall", "bad v3"));
        Assert.Equal(StoreErrorCode.NoPreviousProduction, rolledBack.Error?.Code);
    }

    [Fact]
    public async Task SeedAsync_ExistingModel_ReturnsAlreadyExists()
    {
        var store = CreateStore();
        await store.RegisterAsync(Model, Version(1), new ChangeContext("alice", null));

        var result = await store.SeedAsync(Model, [Version(1)]);

        Assert.Equal(StoreErrorCode.AlreadyExists, result.Error?.Code);
    }

    [Fact]
    public async Task GetAsync_NewInstance_SeesCommittedChanges()
    {
        var first = CreateStore();
        await RegisterStagedAsync(first, 1);
        await first.SetAliasAsync(Model, "champion", 1, new ChangeContext("alice", null));

        var second = CreateStore();
        var state = await second.GetAsync(Model);

        Assert.NotNull(state);
        Assert.Equal(ModelStage.Staging, state.FindVersion(1)!.Stage);
        Assert.Equal(1, state.Aliases["champion"]);
        Assert.Equal(3, (await second.GetAuditAsync(Model)).Count);
    }

    [Fact]
    public async Task SetAliasAsync_ConcurrentWritersOnTwoInstances_LoseNoUpdate()
    {
        var a = CreateStore();
        var b = CreateStore();
        await a.RegisterAsync(Model, Version(1), new ChangeContext("alice", null));
        const int Writers = 16;

        var results = await Task.WhenAll(Enumerable.Range(0, Writers).Select(i =>
            (i % 2 == 0 ? a : b).SetAliasAsync(Model, $"alias{i}", 1, new ChangeContext($"writer{i}", null))));

        Assert.All(results, static r => Assert.True(r.IsSuccess, r.Error?.Message));
        var state = await a.GetAsync(Model);
        Assert.Equal(Writers, state!.Aliases.Count);
        Assert.Equal(1 + Writers, state.Revision);
        var audit = await b.GetAuditAsync(Model);
        Assert.Equal(Enumerable.Range(1, 1 + Writers).Select(static r => (long)r), audit.Select(static e => e.Revision));
    }

    [Fact]
    public async Task TransitionAsync_ConcurrentPromotionsOnTwoInstances_LeaveExactlyOneProduction()
    {
        var a = CreateStore();
        var b = CreateStore();
        await RegisterStagedAsync(a, 1, ("auc", 0.70));
        await a.TransitionAsync(Model, 1, Promote());
        await RegisterStagedAsync(a, 2, ("auc", 0.71));
        await RegisterStagedAsync(a, 3, ("auc", 0.72));

        var results = await Task.WhenAll(
            a.TransitionAsync(Model, 2, Promote("alice")),
            b.TransitionAsync(Model, 3, Promote("bob")));

        Assert.All(results, static r => Assert.True(r.IsSuccess, r.Error?.Message));
        var state = await b.GetAsync(Model);
        var production = Assert.Single(state!.Versions, static v => v.Stage == ModelStage.Production);
        Assert.Contains(production.Version, new[] { 2, 3 });
        Assert.Equal(ModelStage.Archived, state.FindVersion(1)!.Stage);
        Assert.Equal(ModelStage.Archived, state.FindVersion(5 - production.Version)!.Stage);
        // Both promotions were applied in some order, each archiving the one before.
        Assert.Equal([1, 5 - production.Version], state.ProductionHistory.ToArray());
    }

    [Fact]
    public async Task WatchAsync_AfterChange_YieldsModelName()
    {
        var store = CreateStore();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var feed = store.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = feed.MoveNextAsync();

        await store.RegisterAsync(Model, Version(1), new ChangeContext("alice", null));

        Assert.True(await next);
        Assert.Equal(Model, feed.Current);
    }

    private async Task RegisterStagedAsync(IRegistryStore store, int version, params (string Name, double Value)[] metrics)
    {
        var registered = await store.RegisterAsync(Model, Version(version, metrics), new ChangeContext("alice", null));
        Assert.True(registered.IsSuccess, registered.Error?.Message);
        var staged = await store.TransitionAsync(Model, version, Stage());
        Assert.True(staged.IsSuccess, staged.Error?.Message);
    }
}
