using System.Collections.Immutable;
using Serving.Core.Registry;

namespace Serving.Testing.Registry;

internal static class RegistryTestData
{
    public static readonly string Sha = new('a', 64);

    public static VersionRegistration Version(int? version, params (string Name, double Value)[] metrics) => new()
    {
        Version = version,
        Artifact = $"credit-risk/{version ?? 0}/model.onnx",
        Sha256 = Sha,
        Features = ["age", "income"],
        Metrics = metrics.ToImmutableSortedDictionary(static m => m.Name, static m => m.Value),
        TrainingDataFingerprint = "sha256:feed",
        CodeCommit = "3e1a9f2",
        Tags = ImmutableSortedDictionary<string, string>.Empty.Add("owner", "risk-team"),
    };

    public static TransitionRequest Promote(string approver = "alice", string reason = "better auc") =>
        new(ModelStage.Production, approver, reason);

    public static TransitionRequest Stage(string actor = "bob") => new(ModelStage.Staging, actor, null);
}
