namespace Serving.Core;

/// <summary>
/// The one registry of log event ids: every <c>[LoggerMessage(EventId = …)]</c> in the gateway and Core lies
/// in a range below that belongs to its namespace, and no id is used twice (<c>LogEventIdTests</c> checks
/// both by reflection). A new message takes the next free id in its namespace's range (the test names it);
/// a namespace that logs for the first time gets a new range here, above the highest one.
/// </summary>
public static class LogEventIds
{
    /// <summary>The ranges, in order, none overlapping: first and last id, and the namespace that owns them.</summary>
    public static IReadOnlyList<(int First, int Last, string Namespace)> Ranges { get; } =
    [
        (1000, 1099, "Serving.Gateway.Inference"),
        (1100, 1129, "Serving.Core.Registry"),
        (1130, 1139, "Serving.Gateway.Registry"),
        (1140, 1142, "Serving.Gateway.Storage"),
        (1143, 1149, "Serving.Gateway.Hosting"),
        (1150, 1159, "Serving.Core.Registry"),
        (1200, 1299, "Serving.Gateway.Admin"),
        (1300, 1399, "Serving.Gateway.Registry"),
        (1450, 1459, "Serving.Gateway.Rollouts"),
        (1460, 1469, "Serving.Gateway.Admin"),
        (1470, 1479, "Serving.Gateway.Rollouts"),
        (1480, 1489, "Serving.Gateway.Admin"),
        (1600, 1699, "Serving.Gateway.Remote"),
        (1700, 1799, "Serving.Gateway.Hosting"),
        (2000, 2999, "Serving.Gateway.Protocol"),
        (3000, 3099, "Serving.Gateway.Alerts"),
        (3100, 3199, "Serving.Gateway.Admin"),
        (4000, 4999, "Serving.Gateway.Drift"),
        (5000, 5999, "Serving.Gateway.Rollouts"),
        (6000, 6099, "Serving.Gateway.Grpc"),
        (6100, 6199, "Serving.Gateway.OnCall"),
        (6200, 6299, "Serving.Gateway.Batching"),
        (6300, 6399, "Serving.Gateway.Metrics"),
        (6400, 6499, "Serving.Gateway.Outcomes"),
        (6500, 6599, "Serving.Gateway.Security"),
        (6600, 6699, "Serving.Gateway.PayloadLog"),
        (6700, 6799, "Serving.Gateway.Experiments"),
        (6800, 6899, "Serving.Gateway.ConceptDrift"),
        (6900, 6999, "Serving.Gateway.Tracing"),
        (7000, 7099, "Serving.Core.Drift"),
        (7100, 7199, "Serving.Core.Rollouts"),
        (7200, 7299, "Serving.Core.Outcomes"),
        (7300, 7399, "Serving.Core.Repository"),
        (7400, 7499, "Serving.Core.Storage"),
        (7500, 7599, "Serving.Core.Protocol"),
    ];
}
