namespace Serving.Gateway.Drift;

/// <summary>A ready or draining version as the drift loop sees it (<see cref="IMonitoredVersions"/>).</summary>
/// <param name="Model">The model name.</param>
/// <param name="Version">The version, as its metric label.</param>
/// <param name="Monitor">Its drift monitor; null when it is not monitored.</param>
/// <param name="Unavailable">Why a version that ships a reference cannot be monitored; null otherwise.</param>
internal readonly record struct MonitoredVersion(string Model, string Version, VersionDriftMonitor? Monitor, string? Unavailable);
