using Prometheus;

namespace Serving.Gateway.Remote;

/// <summary>
/// One worker as a forwarding destination: its address, its active health (probes), its passive health
/// (transport failures of forwarded requests) and its requests in flight. Shared by every model's
/// cluster the worker belongs to, so a failure seen for one model takes it out for all.
/// </summary>
internal sealed class WorkerDestination
{
    private const int Unknown = 0;
    private const int Healthy = 1;
    private const int Unhealthy = 2;

    private readonly Gauge.Child _healthGauge;
    private int _activeState;
    private int _consecutiveFailures;
    private long _passiveUntilTicks;
    private int _inFlight;

    public WorkerDestination(string address)
    {
        Address = address.TrimEnd('/');
        _healthGauge = ForwardMetrics.DestinationHealthy.WithLabels(Address);
        _healthGauge.Set(1);
    }

    /// <summary>Base address without a trailing slash, e.g. <c>http://127.0.0.1:9001</c>.</summary>
    public string Address { get; }

    /// <summary>Requests forwarded to this worker that have not finished.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>True once a probe succeeded and no later probes failed enough to mark it unhealthy.</summary>
    public bool ProbedHealthy => Volatile.Read(ref _activeState) == Healthy;

    /// <summary>False while probes say it is down or a transport failure took it out for the reactivation period.</summary>
    public bool IsAvailable(long nowTicks) =>
        Volatile.Read(ref _activeState) != Unhealthy && nowTicks >= Volatile.Read(ref _passiveUntilTicks);

    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Leave() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Records a probe result; returns true when the active state changed.</summary>
    public bool ReportProbe(bool success, int unhealthyAfter)
    {
        if (success)
        {
            Volatile.Write(ref _consecutiveFailures, 0);
            return Interlocked.Exchange(ref _activeState, Healthy) != Healthy;
        }
        if (Interlocked.Increment(ref _consecutiveFailures) < unhealthyAfter)
        {
            return false;
        }
        return Interlocked.Exchange(ref _activeState, Unhealthy) != Unhealthy;
    }

    /// <summary>A forwarded request could not reach the worker: no traffic until <paramref name="untilTicks"/>.</summary>
    public void ReportTransportFailure(long untilTicks)
    {
        Volatile.Write(ref _passiveUntilTicks, untilTicks);
        _healthGauge.Set(0);
    }

    /// <summary>Refreshes the health gauge (the passive period ends without an event of its own).</summary>
    public void UpdateGauge(long nowTicks) =>
        _healthGauge.Set(Volatile.Read(ref _activeState) != Unhealthy && nowTicks >= Volatile.Read(ref _passiveUntilTicks) ? 1 : 0);
}
