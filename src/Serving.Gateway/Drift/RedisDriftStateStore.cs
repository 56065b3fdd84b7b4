using System.Text.Json;
using StackExchange.Redis;

namespace Serving.Gateway.Drift;

/// <summary>
/// Keeps each version's drift state in Redis, one string per version: <c>{prefix}:state:{model}:{version}</c>
/// (prefix <see cref="DriftOptions.RedisKeyPrefix"/>), JSON. Replicas evaluating the same merged windows
/// write the same state; the last write wins. A call fails after <see cref="DriftOptions.MergeTimeout"/>
/// when Redis does not answer, and is logged, never thrown.
/// </summary>
internal sealed partial class RedisDriftStateStore(IConnectionMultiplexer redis, DriftOptions options, ILogger<RedisDriftStateStore> logger) : IDriftStateStore
{
    public async Task<DriftVersionState?> LoadAsync(string model, string version, CancellationToken cancellationToken)
    {
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(KeyOf(model, version)).WaitAsync(options.MergeTimeout, cancellationToken).ConfigureAwait(false);
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize((byte[])value!, DriftStateJsonContext.Default.DriftVersionState);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException)
        {
            LogFailed(logger, "read", model, version, ex);
            return null;
        }
    }

    public async Task<bool> SaveAsync(string model, string version, DriftVersionState state, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(state, DriftStateJsonContext.Default.DriftVersionState);
            return await redis.GetDatabase().StringSetAsync(KeyOf(model, version), bytes).WaitAsync(options.MergeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogFailed(logger, "write", model, version, ex);
            return false;
        }
    }

    public async Task<bool> DeleteAsync(string model, string version, CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(KeyOf(model, version)).WaitAsync(options.MergeTimeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogFailed(logger, "delete", model, version, ex);
            return false;
        }
    }

    private RedisKey KeyOf(string model, string version) => $"{options.RedisKeyPrefix}:state:{model}:{version}";

    [LoggerMessage(EventId = 4302, Level = LogLevel.Error, Message = "Could not {Operation} the drift state of {Model} v{Version} in Redis")]
    private static partial void LogFailed(ILogger logger, string operation, string model, string version, Exception exception);
}
