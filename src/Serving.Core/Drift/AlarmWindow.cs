namespace Serving.Core.Drift;

/// <summary>One window an alarm has judged: when it closed, whether it drifted and how badly.</summary>
/// <param name="End">When the window closed.</param>
/// <param name="Drifting">Whether its verdict was drift.</param>
/// <param name="Severity">Its severity (None unless drifting).</param>
internal readonly record struct AlarmWindow(DateTimeOffset End, bool Drifting, DriftSeverity Severity);
