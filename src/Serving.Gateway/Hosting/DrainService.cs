using Microsoft.Extensions.Options;
using Prometheus;
using Serving.Gateway.Alerts;
using Serving.Gateway.Protocol;
using Serving.Gateway.Rollouts;

namespace Serving.Gateway.Hosting;

/// <summary>
/// Graceful stop (see <see cref="ShutdownOptions"/>): on SIGTERM readiness fails first and the process
/// keeps serving for <see cref="ShutdownOptions.DrainDelay"/>; then the server refuses new connections
/// and lets requests in flight and queued complete (the host's shutdown timeout); then shadow copies and
/// alert deliveries get <see cref="ShutdownOptions.FlushTimeout"/> to finish, and what is left is
/// counted in <c>serving_shutdown_dropped_total</c>. Registered after the services it waits for, so it
/// stops before them and right after the server.
/// </summary>
internal sealed partial class DrainService(
    IOptions<ShutdownOptions> options, DrainSignal signal, ShadowDispatcher shadows, AlertNotifier alerts, TimeProvider time, ILogger<DrainService> logger) : IHostedLifecycleService
{
    private static readonly Counter Dropped = Prometheus.Metrics.CreateCounter(
        "serving_shutdown_dropped_total", "Work dropped because the process stopped before it finished, by kind (shadow: shadow copies in flight; alert: queued alert deliveries).",
        new CounterConfiguration { LabelNames = ["kind"] });

    private readonly ShutdownOptions _options = options.Value;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        signal.Raise();
        LogDraining(logger, _options.DrainDelay.TotalSeconds);
        try
        {
            await Task.Delay(_options.DrainDelay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first.
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + (long)(_options.FlushTimeout.TotalSeconds * time.TimestampFrequency);
        while ((shadows.InFlight > 0 || alerts.Pending > 0) && time.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        var shadowsLeft = shadows.InFlight;
        var alertsLeft = alerts.Pending;
        Dropped.WithLabels("shadow").Inc(shadowsLeft);
        Dropped.WithLabels("alert").Inc(alertsLeft);
        LogStopped(logger, shadowsLeft, alertsLeft);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "Stopping: readiness fails now; serving for {DrainSeconds} s more before refusing new connections")]
    private static partial void LogDraining(ILogger logger, double drainSeconds);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "Stopped serving: {Shadows} shadow copies and {Alerts} alert deliveries dropped")]
    private static partial void LogStopped(ILogger logger, int shadows, int alerts);
}
