namespace Serving.Gateway.Drift;

internal sealed partial class RedisDriftWindowExchange
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning,
        Message = "Drift windows cannot be merged through Redis ({Operation} for {Model} v{Version}: {Reason}); each window is evaluated on this replica's traffic alone until the merge works again")]
    private partial void LogMergeUnavailable(string model, string version, string operation, string reason, Exception? exception);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Drift windows are merged through Redis again")]
    private partial void LogMergeRestored();
}
