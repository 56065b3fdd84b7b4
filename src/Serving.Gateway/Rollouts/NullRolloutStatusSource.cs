namespace Serving.Gateway.Rollouts;

/// <summary>The <see cref="IRolloutStatusSource"/> registered by default: no live numbers for any model.</summary>
internal sealed class NullRolloutStatusSource : IRolloutStatusSource
{
    /// <inheritdoc />
    public RolloutLiveStatus? Get(string model) => null;
}
