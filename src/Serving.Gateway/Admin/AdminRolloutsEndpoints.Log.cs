namespace Serving.Gateway.Admin;

internal static partial class AdminRolloutsEndpoints
{
    [LoggerMessage(EventId = 1460, Level = LogLevel.Information,
        Message = "Rollout policy of {Model} set by {Actor} (revision {Revision}, mode {Mode}): {Reason}")]
    private static partial void LogPolicySet(ILogger logger, string model, long revision, string mode, string actor, string? reason);

    [LoggerMessage(EventId = 1461, Level = LogLevel.Information,
        Message = "Rollout of {Model}: {Command} by {Actor} (revision {Revision}, now {Status}, canary weight {Weight}): {Reason}")]
    private static partial void LogCommand(ILogger logger, string model, string command, long revision, string actor, string? reason, string status, double weight);

    [LoggerMessage(EventId = 1462, Level = LogLevel.Information,
        Message = "Rollout policy of {Model} deleted by {Actor} (was revision {Revision}); default routing: {Reason}")]
    private static partial void LogPolicyDeleted(ILogger logger, string model, long revision, string actor, string? reason);
}
