namespace Serving.Gateway.Drift;

/// <summary>
/// The versions the drift loop watches: every ready or draining version of the model host, with its monitor
/// or the reason it has none. The drift folder owns this view so that the loop reads the host (Inference)
/// without referencing it; the host, which builds each version's monitor, implements it.
/// </summary>
internal interface IMonitoredVersions
{
    /// <summary>Every ready or draining version, read by the drift loop (never on the request path).</summary>
    IEnumerable<MonitoredVersion> Monitored();
}
