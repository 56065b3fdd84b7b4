using Serving.Core.Registry;
using Serving.Core.Rollouts;
using Serving.Core.Storage;

namespace Serving.Functional.Tests.Registry;

/// <summary>Fresh, empty replica snapshots in a temporary directory, one per store instance (one per simulated replica).</summary>
internal static class Snapshots
{
    public static StoreSnapshot<ModelState> Registry() =>
        new(Path.Combine(Path.GetTempPath(), "serving-snapshot-" + Guid.NewGuid().ToString("N"), "registry.json"),
            RegistryJsonContext.Default.SnapshotDocumentModelState);

    public static StoreSnapshot<RolloutPolicy> Rollouts() =>
        new(Path.Combine(Path.GetTempPath(), "serving-snapshot-" + Guid.NewGuid().ToString("N"), "rollouts.json"),
            RolloutJsonContext.Default.SnapshotDocumentRolloutPolicy);
}
