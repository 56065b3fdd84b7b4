using System.Collections.Concurrent;
using System.Collections.Immutable;
using Serving.Core.Rollouts;
using Serving.Gateway.Rollouts;

namespace Serving.Functional.Tests.Rollouts;

/// <summary>An <see cref="IRolloutActionSink"/> that remembers what it was asked to carry out.</summary>
internal sealed class RecordingRolloutActionSink : IRolloutActionSink
{
    public ConcurrentQueue<(RolloutPolicy Policy, ImmutableArray<RolloutAction> Actions)> Calls { get; } = new();

    public Task ExecuteAsync(RolloutPolicy policy, ImmutableArray<RolloutAction> actions, CancellationToken cancellationToken)
    {
        Calls.Enqueue((policy, actions));
        return Task.CompletedTask;
    }
}
