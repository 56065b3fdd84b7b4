using System.Collections.Immutable;

namespace Serving.Core.Storage;

/// <summary>What <see cref="StoreSnapshot{T}"/> keeps on disk: the store's epoch and everything it held.</summary>
/// <typeparam name="T">A model state or a rollout policy.</typeparam>
/// <param name="Epoch">The epoch marker of the shared store the items were read from (see docs/registry.md).</param>
/// <param name="Items">The store's content, ordered by model name.</param>
internal sealed record SnapshotDocument<T>(string? Epoch, ImmutableArray<T> Items);
