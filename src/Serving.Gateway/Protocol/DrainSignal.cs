namespace Serving.Gateway.Protocol;

/// <summary>
/// Whether the process is stopping (SIGTERM): from then on <c>/v2/health/ready</c> answers 503 <c>draining</c>
/// while requests are still served. The host's graceful stop raises it.
/// </summary>
public sealed class DrainSignal
{
    private volatile bool _draining;

    /// <summary>True from SIGTERM on.</summary>
    public bool IsDraining => _draining;

    /// <summary>Marks the process as stopping.</summary>
    public void Raise() => _draining = true;
}
