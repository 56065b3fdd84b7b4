using System.Collections.Concurrent;
using Serving.Gateway.Rollouts;

namespace Serving.Testing.Rollouts;

/// <summary>An <see cref="IRolloutStatusSource"/> whose numbers the test sets.</summary>
internal sealed class FakeRolloutStatusSource : IRolloutStatusSource
{
    public ConcurrentDictionary<string, RolloutLiveStatus> Statuses { get; } = new(StringComparer.Ordinal);

    public RolloutLiveStatus? Get(string model) => Statuses.GetValueOrDefault(model);
}
