using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Drift;
using Serving.Functional.Tests.Registry;
using Serving.Gateway.Drift;
using Serving.Testing.Common;
using StackExchange.Redis;
using static Serving.Functional.Tests.Drift.DriftExchangeTestData;

namespace Serving.Functional.Tests.Drift;

/// <summary>Redis unreachable: a closed port, and a redis-server of its own that the test kills.</summary>
public sealed class RedisDriftWindowExchangeOutageTests
{
    /// <summary>Only stops a test that hangs: nothing here asserts how long anything took.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PublishAsync_NothingListening_ReturnsFalseAtOnceAndTheLocalWindowIsEvaluated()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{ClosedPort()},abortConnect=false,connectTimeout=200");
        var time = new ManualTimeProvider(T0.AddSeconds(5));
        var profile = Profile();
        var exchange = new RedisDriftWindowExchange(connection, Options(), time, NullLogger<RedisDriftWindowExchange>.Instance);
        var coordinator = new DriftWindowCoordinator(exchange, time, NullLogger.Instance);
        var recorder = new DriftRecorder(profile, Aligned(), time);
        var monitor = Monitor(profile, recorder, time);
        Record(recorder, 200, 0.0, seed: 1);
        time.Advance(WindowLength);
        var local = recorder.Rotate();
        var failures = DriftMetrics.MergeFailures.WithLabels(profile.Model, profile.Version, "publish").Value;

        // The exchange's timeout runs on the manual clock, which stands still here: publishing can only
        // finish by failing at once on the missing connection, not by waiting for the merge timeout (the
        // real-time guard only stops a hang).
        var published = await exchange.PublishAsync(new DriftWindowKey(profile, WindowLength, 0), local, default).AsTask().WaitAsync(HangGuard);
        coordinator.Close(monitor, local, default);
        time.Advance(TimeSpan.FromSeconds(2));
        var ready = await coordinator.CollectDueAsync(new HashSet<VersionDriftMonitor> { monitor }, default);

        Assert.False(published);
        var closed = Assert.Single(ready);
        Assert.False(closed.Merged);
        Assert.Same(local, closed.Window);
        Assert.Equal(1, closed.Replicas);
        Assert.Equal(failures + 2, DriftMetrics.MergeFailures.WithLabels(profile.Model, profile.Version, "publish").Value);
    }

    [Fact]
    public async Task CollectDueAsync_RedisKilledAfterAMergedWindow_NextWindowFallsBackToLocalWithinTheTimeout()
    {
        var server = new RedisServerFixture();
        await server.InitializeAsync();
        var running = true;
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
            var time = new ManualTimeProvider(T0.AddSeconds(5));
            var profile = Profile();
            var options = Options();
            var exchange = new RedisDriftWindowExchange(connection, options, time, NullLogger<RedisDriftWindowExchange>.Instance);
            var coordinator = new DriftWindowCoordinator(exchange, time, NullLogger.Instance);
            var recorder = new DriftRecorder(profile, Aligned(), time);
            var monitor = Monitor(profile, recorder, time);
            var live = new HashSet<VersionDriftMonitor> { monitor };

            Record(recorder, 150, 0.0, seed: 1);
            time.Advance(WindowLength);
            coordinator.Close(monitor, recorder.Rotate(), default);
            time.Advance(options.MergeGrace);
            var first = Assert.Single(await coordinator.CollectDueAsync(live, default));

            await server.DisposeAsync();
            running = false;
            Record(recorder, 80, 0.0, seed: 2);
            time.Advance(WindowLength);
            var local = recorder.Rotate();
            coordinator.Close(monitor, local, default);
            time.Advance(options.MergeGrace);
            // The exchange's merge timeout runs on the manual clock, which the grace has passed: the window
            // comes back local by that timeout or by the dead connection failing first, never by waiting on
            // the wall clock (the real-time guard only stops a hang).
            var second = Assert.Single(await coordinator.CollectDueAsync(live, default).WaitAsync(HangGuard));

            Assert.True(first.Merged);
            Assert.Equal(150, first.Window.RowCount);
            Assert.False(second.Merged);
            Assert.Same(local, second.Window);
            var evaluation = monitor.Evaluator.Evaluate(second.Window, Thresholds);
            Assert.Equal(80, evaluation.RowCount);
        }
        finally
        {
            if (running)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
