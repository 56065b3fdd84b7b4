using StackExchange.Redis;

namespace Serving.Gateway.Rollouts;

internal sealed partial class RedisRolloutStore
{
    [LoggerMessage(EventId = 1450, Level = LogLevel.Information, Message = "Redis rollout store, keys under {Prefix}, changes on channel {Channel}")]
    private partial void LogOpened(string prefix, string channel);

    [LoggerMessage(EventId = 1451, Level = LogLevel.Debug, Message = "Rollout policy of {Model} committed at revision {Revision}")]
    private partial void LogCommitted(string model, long revision);

    [LoggerMessage(EventId = 1452, Level = LogLevel.Debug, Message = "Rollout policy of {Model} deleted at revision {Revision}")]
    private partial void LogDeleted(string model, long revision);

    [LoggerMessage(EventId = 1453, Level = LogLevel.Information, Message = "Rollout change subscription restored; reported {Count} models as changed")]
    private partial void LogResynced(int count);

    [LoggerMessage(EventId = 1454, Level = LogLevel.Warning, Message = "Rollout resynchronisation after a restored subscription failed")]
    private partial void LogResyncFailed(RedisException exception);
}
