using Serving.Core.Registry;
using Serving.Core.Storage;

namespace Serving.Gateway.Registry;

/// <summary>
/// What a gateway serves when its registry store cannot be read from the start: the replica's snapshot
/// of the last registry it read (<c>snapshot/registry.json</c> in the state directory), or, without one,
/// the registry that seeding the model repository would produce.
/// </summary>
internal sealed class LastKnownRegistry(StoreSnapshot<ModelState> snapshot, RegistrySeeder seeder, TimeProvider timeProvider)
{
    /// <summary>The states to serve and where they come from (for readiness and the log).</summary>
    public async Task<(IReadOnlyList<ModelState> States, string Source)> ReadAsync(CancellationToken cancellationToken)
    {
        if (!snapshot.Items.IsEmpty)
        {
            return (snapshot.Items, "the last known state in " + snapshot.FilePath);
        }

        var planned = await seeder.PlanAsync(timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return (planned, "the repository seed");
    }
}
