using System.Collections.Immutable;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Rollouts;

/// <summary>
/// The <see cref="IRolloutActionSink"/> registered by default: logs each action that nothing carries out
/// (a registry promotion, a window reset, an alert), so a missing rollout loop is visible in the logs.
/// </summary>
internal sealed partial class LoggingRolloutActionSink : IRolloutActionSink
{
    private readonly ILogger<LoggingRolloutActionSink> _logger;

    /// <summary>Creates the sink.</summary>
    public LoggingRolloutActionSink(ILogger<LoggingRolloutActionSink> logger) => _logger = logger;

    /// <inheritdoc />
    public Task ExecuteAsync(RolloutPolicy policy, ImmutableArray<RolloutAction> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        foreach (RolloutAction action in actions)
        {
            if (action.Kind != RolloutActionKind.SetWeight)
            {
                LogNotCarriedOut(policy.Model, action.Kind, action.Message);
            }
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 1470, Level = LogLevel.Warning, Message = "Rollout of {Model}: action {Kind} not carried out (no rollout loop registered): {Message}")]
    private partial void LogNotCarriedOut(string model, RolloutActionKind kind, string? message);
}
