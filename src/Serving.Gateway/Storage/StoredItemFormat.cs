using StackExchange.Redis;

namespace Serving.Gateway.Storage;

/// <summary>How a Redis store's item (a model state, a rollout policy) is named, read and restored (see <see cref="RedisStoreContent{T}"/>).</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="NameOf">The item's model name.</param>
/// <param name="Read">The item stored for a model (given its name, for error messages), or null when the value is missing.</param>
/// <param name="Restored">The item written back at a time, with the audit entry that records the restore.</param>
internal sealed record StoredItemFormat<T>(
    Func<T, string> NameOf,
    Func<string, RedisValue, T?> Read,
    Func<T, DateTimeOffset, RestoredItem> Restored)
    where T : class;
