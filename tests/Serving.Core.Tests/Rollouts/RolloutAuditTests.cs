using Serving.Core.Registry;
using Serving.Core.Rollouts;
using Serving.Testing.Rollouts;

namespace Serving.Core.Tests.Rollouts;

public sealed class RolloutAuditTests
{
    [Fact]
    public void Set_WeightChanged_DescribesBeforeAndAfterWithActorAndReason()
    {
        var before = RolloutFixtures.Canary(10) with { Revision = 3, UpdatedBy = "carol", Reason = "try v4" };
        var after = before with { Revision = 4, Canary = before.Canary! with { Weight = 25 }, UpdatedBy = "dave", Reason = "ramp" };

        var entry = RolloutAudit.Set(before, after, RolloutFixtures.T0)!;

        Assert.Equal(
            ("fraud", 4L, "dave", "ramp", AuditAction.RolloutSet, "canary: stable v3, canary v4, weight 10%", "canary: stable v3, canary v4, weight 25%"),
            (entry.Model, entry.Revision, entry.Actor, entry.Reason, entry.Action, entry.Before, entry.After));
    }

    [Fact]
    public void Set_OnlyBookkeepingChanged_ReturnsNull()
    {
        var progress = new RolloutProgress { Status = RolloutStatus.Analyzing, StepIndex = 1, NextAnalysisAt = RolloutFixtures.T0 };
        var before = RolloutFixtures.Canary(10) with { Revision = 3, UpdatedBy = "rollout-controller", Progress = progress };
        var after = before with { Revision = 4, Progress = progress with { NextAnalysisAt = RolloutFixtures.T0.AddSeconds(30), ConsecutivePasses = 1 } };

        Assert.Null(RolloutAudit.Set(before, after, RolloutFixtures.T0));
    }
}
