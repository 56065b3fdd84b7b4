namespace Serving.Gateway.Protocol;

internal sealed partial class InferenceCore
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Information,
        Message = "{Model} v{Version} refused a request's input values (answered 400; {Suppressed} similar lines held back since the last): {Detail}")]
    private static partial void LogInvalidInput(ILogger logger, string model, int version, string? detail, int suppressed);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error,
        Message = "{Model} v{Version} failed to compute a request (answered 500; {Suppressed} similar lines held back since the last): {Detail}")]
    private static partial void LogInferenceFailed(ILogger logger, string model, int version, string? detail, int suppressed);
}
