using Serving.Core.Registry;
using Serving.Core.Storage;
using Serving.Testing.Registry;
using static Serving.Testing.Registry.RegistryTestData;

namespace Serving.Core.Tests.Registry;

public sealed class RegistryRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 18, 40, 0, TimeSpan.Zero);
    private static readonly ChangeContext Alice = new("alice", "because");

    [Fact]
    public void Rollback_Twice_WalksBackThroughEarlierProductions()
    {
        var state = Apply(null, s => RegistryRules.Seed(s, "m", [Version(1)], Now));
        state = PromoteNew(state, 2);
        state = PromoteNew(state, 3);

        state = Apply(state, s => RegistryRules.Rollback(s, "m", Alice, Now));
        Assert.Equal(2, state.Production!.Version);
        state = Apply(state, s => RegistryRules.Rollback(s, "m", Alice, Now));
        Assert.Equal(1, state.Production!.Version);

        Assert.Equal(StoreErrorCode.NoPreviousProduction, RegistryRules.Rollback(state, "m", Alice, Now).Error?.Code);
    }

    [Fact]
    public void Rollback_HistoryEntryNowInProduction_IsSkipped()
    {
        var state = Apply(null, s => RegistryRules.Seed(s, "m", [Version(1)], Now));
        state = PromoteNew(state, 2);
        // v2 archived by rollback; re-stage and re-promote v2: history now ends with v1 (archived by that promotion).
        state = Apply(state, s => RegistryRules.Rollback(s, "m", Alice, Now));
        state = Apply(state, s => RegistryRules.Transition(s, "m", 2, Stage(), 0.01, Now));
        state = Apply(state, s => RegistryRules.Transition(s, "m", 2, Promote(), 0.01, Now));

        state = Apply(state, s => RegistryRules.Rollback(s, "m", Alice, Now));

        Assert.Equal(1, state.Production!.Version);
    }

    [Fact]
    public void Transition_ProductionToArchived_LeavesNoProduction()
    {
        var state = Apply(null, s => RegistryRules.Seed(s, "m", [Version(1)], Now));

        state = Apply(state, s => RegistryRules.Transition(s, "m", 1, new TransitionRequest(ModelStage.Archived, "alice", "retire"), 0.01, Now));

        Assert.Null(state.Production);
        Assert.Empty(state.ProductionHistory);
    }

    [Fact]
    public void Transition_SameStage_ReturnsInvalidTransition()
    {
        var state = Apply(null, s => RegistryRules.Register(s, "m", Version(1), Alice, Now));

        var result = RegistryRules.Transition(state, "m", 1, new TransitionRequest(ModelStage.None, "alice", null), 0.01, Now);

        Assert.Equal(StoreErrorCode.InvalidTransition, result.Error?.Code);
    }

    [Fact]
    public void Register_BadHashOrMetric_ReturnsInvalidArgument()
    {
        Assert.Equal(StoreErrorCode.InvalidArgument,
            RegistryRules.Register(null, "m", Version(1) with { Sha256 = "ABC" }, Alice, Now).Error?.Code);
        Assert.Equal(StoreErrorCode.InvalidArgument,
            RegistryRules.Register(null, "m", Version(1, ("auc", double.NaN)), Alice, Now).Error?.Code);
        Assert.Equal(StoreErrorCode.InvalidArgument,
            RegistryRules.Register(null, "m", Version(0), Alice, Now).Error?.Code);
        Assert.Equal(StoreErrorCode.InvalidArgument,
            RegistryRules.Register(null, "m", Version(1) with { Artifact = "../x.onnx" }, Alice, Now).Error?.Code);
    }

    [Fact]
    public void Register_NoActor_RecordsAnonymous()
    {
        var change = RegistryRules.Register(null, "m", Version(1), new ChangeContext(null, null), Now);

        Assert.Equal(ChangeContext.AnonymousActor, Assert.Single(change.Value!.Audit).Actor);
    }

    /// <summary>Registers, stages and promotes version <paramref name="number"/>, archiving the current Production.</summary>
    private static ModelState PromoteNew(ModelState state, int number)
    {
        state = Apply(state, s => RegistryRules.Register(s, "m", Version(number), Alice, Now));
        state = Apply(state, s => RegistryRules.Transition(s, "m", number, Stage(), 0.01, Now));
        return Apply(state, s => RegistryRules.Transition(s, "m", number, Promote(), 0.01, Now));
    }

    private static ModelState Apply(ModelState? state, Func<ModelState?, StoreResult<StateChange>> rule)
    {
        var result = rule(state);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value.State;
    }
}
