using System.Collections.Immutable;
using Serving.Core.Registry;
using Serving.Core.Rollouts;
using Serving.Core.Storage;
using Serving.Testing.Rollouts;

namespace Serving.Core.Tests.Rollouts;

/// <summary>A rollout policy may name only registered versions in Staging or Production.</summary>
public sealed class RolloutVersionCheckTests
{
    // fraud: 2 Archived, 3 Production, 4 Staging, 5 None.
    private static readonly ModelState Registry = new()
    {
        Name = "fraud",
        Revision = 4,
        Versions = [Version(2, ModelStage.Archived), Version(3, ModelStage.Production), Version(4, ModelStage.Staging), Version(5, ModelStage.None)],
    };

    [Fact]
    public void CheckVersions_StagingAndProduction_Accepted()
    {
        var policy = RolloutFixtures.Canary(10) with { Shadow = new ShadowSettings { Version = 4, Percentage = 5 } };

        Assert.Null(RolloutPolicyValidator.CheckVersions(policy, Registry));
        Assert.Null(RolloutPolicyValidator.CheckVersions(RolloutFixtures.BlueGreen(active: 4, preview: 3), Registry));
    }

    [Fact]
    public void CheckVersions_VersionNotRegistered_NamesIt()
    {
        var error = RolloutPolicyValidator.CheckVersions(RolloutFixtures.Canary(0, stable: 99, canary: 4), Registry);

        Assert.Equal(StoreErrorCode.VersionUnavailable, error?.Code);
        Assert.Contains("version 99 of model 'fraud' does not exist", error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "Archived")]
    [InlineData(5, "None")]
    public void CheckVersions_ActiveVersionNotApproved_NamesVersionAndStage(int version, string stage)
    {
        var error = RolloutPolicyValidator.CheckVersions(RolloutFixtures.BlueGreen(active: version, preview: null), Registry);

        Assert.Equal(StoreErrorCode.VersionUnavailable, error?.Code);
        Assert.Contains($"version {version} of model 'fraud' is in stage {stage}", error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckVersions_ShadowOfUnregisteredModel_Refused()
    {
        var policy = new RolloutPolicy { Model = "fraud", Shadow = new ShadowSettings { Version = 3, Percentage = 100 } };

        Assert.Equal(StoreErrorCode.VersionUnavailable, RolloutPolicyValidator.CheckVersions(policy, registry: null)?.Code);
    }

    private static ModelVersion Version(int number, ModelStage stage) => new()
    {
        Version = number,
        Artifact = $"fraud/{number}/model.onnx",
        Sha256 = new string('0', 64),
        Created = RolloutFixtures.T0,
        Stage = stage,
        Metrics = ImmutableSortedDictionary<string, double>.Empty,
    };
}
