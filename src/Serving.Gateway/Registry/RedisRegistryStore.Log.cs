using StackExchange.Redis;

namespace Serving.Gateway.Registry;

internal sealed partial class RedisRegistryStore
{
    [LoggerMessage(EventId = 1130, Level = LogLevel.Information, Message = "Redis registry store, keys under {Prefix}, changes on channel {Channel}")]
    private partial void LogOpened(string prefix, string channel);

    [LoggerMessage(EventId = 1131, Level = LogLevel.Debug, Message = "Registry model {Model} committed at revision {Revision}")]
    private partial void LogCommitted(string model, long revision);

    [LoggerMessage(EventId = 1132, Level = LogLevel.Information, Message = "Registry change subscription restored; reported every model as changed")]
    private partial void LogResynced();

    [LoggerMessage(EventId = 1133, Level = LogLevel.Warning, Message = "Registry resynchronisation after a restored subscription failed")]
    private partial void LogResyncFailed(RedisException exception);
}
