using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>Settings shared by every registry store.</summary>
internal sealed record RegistryOptions
{
    /// <summary>
    /// Absolute tolerance of the promotion gate: a candidate may be worse than Production by at most this
    /// much on any shared metric. Default 0.01.
    /// </summary>
    public double GateTolerance { get; init; } = 0.01;

    /// <summary>
    /// How many times a mutation re-reads and re-applies after losing a compare-and-swap before it
    /// reports <see cref="StoreErrorCode.Conflict"/>. Default 16.
    /// </summary>
    public int MaxCommitAttempts { get; init; } = 16;
}
