using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Drift;
using Serving.Functional.Tests.Registry;
using Serving.Gateway.Drift;
using Serving.Testing.Common;
using StackExchange.Redis;
using static Serving.Functional.Tests.Drift.DriftExchangeTestData;

namespace Serving.Functional.Tests.Drift;

[Collection(RedisCollection.Name)]
public sealed class DriftWindowCoordinatorTests(RedisServerFixture redis)
{
    [Fact]
    public async Task CollectDueAsync_LocalExchange_HandsTheWindowBackAtOnceUnchanged()
    {
        var time = new ManualTimeProvider(T0);
        var profile = Profile();
        var recorder = new DriftRecorder(profile, new DriftWindowOptions { MaxRows = 100 }, time);
        var monitor = Monitor(profile, recorder, time);
        var coordinator = new DriftWindowCoordinator(new LocalDriftWindowExchange(), time, NullLogger.Instance);
        Record(recorder, 120, 0.0, seed: 1);

        coordinator.Close(monitor, recorder.RotateIfDue()!, default);
        var ready = await coordinator.CollectDueAsync(new HashSet<VersionDriftMonitor> { monitor }, default);

        var closed = Assert.Single(ready);
        Assert.True(closed.Merged);
        Assert.Equal(1, closed.Replicas);
        Assert.Equal(120, closed.Window.RowCount);
        Assert.Equal(0, coordinator.PendingCount);
    }

    [Fact]
    public async Task CollectDueAsync_TwoReplicasThroughRedis_WaitForTheGraceThenBothEvaluateTheSameMergedWindow()
    {
        var time = new ManualTimeProvider(T0.AddSeconds(20));
        var profile = Profile();
        var options = Options();
        await using var connectionA = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await using var connectionB = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var (replicaA, replicaB) = (Replica(connectionA, profile, options, time), Replica(connectionB, profile, options, time));
        Record(replicaA.Monitor.Recorder, 300, 0.0, seed: 1);
        Record(replicaB.Monitor.Recorder, 300, 1.0, seed: 2);

        time.Advance(TimeSpan.FromSeconds(39));
        Assert.False(replicaA.Monitor.Recorder.IsRotationDue());
        time.Advance(TimeSpan.FromSeconds(1.5));
        var localA = replicaA.Monitor.Recorder.RotateIfDue()!;
        var localB = replicaB.Monitor.Recorder.RotateIfDue()!;
        replicaA.Coordinator.Close(replicaA.Monitor, localA, default);
        replicaB.Coordinator.Close(replicaB.Monitor, localB, default);
        var early = await replicaA.Coordinator.CollectDueAsync(replicaA.Live, default);
        time.Advance(TimeSpan.FromSeconds(1.5));
        var fromA = Assert.Single(await replicaA.Coordinator.CollectDueAsync(replicaA.Live, default));
        var fromB = Assert.Single(await replicaB.Coordinator.CollectDueAsync(replicaB.Live, default));

        Assert.Empty(early);
        Assert.True(fromA.Merged && fromB.Merged);
        Assert.Equal(2, fromA.Replicas);
        Assert.Equal(600, fromA.Window.RowCount);
        var evaluationA = replicaA.Monitor.Evaluator.Evaluate(fromA.Window, Thresholds);
        var evaluationB = replicaB.Monitor.Evaluator.Evaluate(fromB.Window, Thresholds);
        var reference = new DriftEvaluator(profile, time).Evaluate(localA.Merge(localB), Thresholds);
        for (var c = 0; c < profile.Columns.Length; c++)
        {
            Assert.Equal(reference.Columns[c].Psi, evaluationA.Columns[c].Psi);
            Assert.Equal(reference.Columns[c].Psi, evaluationB.Columns[c].Psi);
            Assert.Equal(reference.Columns[c].PValue, evaluationA.Columns[c].PValue);
            Assert.Equal(reference.Columns[c].PValue, evaluationB.Columns[c].PValue);
        }
    }

    [Fact]
    public async Task Close_SharedExchangeButUnalignedWindow_IsNotPublishedAndEvaluatedLocally()
    {
        var time = new ManualTimeProvider(T0);
        var profile = Profile();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var options = Options();
        var exchange = new RedisDriftWindowExchange(connection, options, time, NullLogger<RedisDriftWindowExchange>.Instance);
        var recorder = new DriftRecorder(profile, new DriftWindowOptions { MaxRows = 10 }, time);
        var monitor = Monitor(profile, recorder, time);
        var coordinator = new DriftWindowCoordinator(exchange, time, NullLogger.Instance);
        Record(recorder, 10, 0.0, seed: 1);
        var local = recorder.Rotate();

        coordinator.Close(monitor, local, default);
        var closed = Assert.Single(await coordinator.CollectDueAsync(new HashSet<VersionDriftMonitor> { monitor }, default));

        Assert.False(closed.Merged);
        Assert.Same(local, closed.Window);
        var keys = connection.GetServers()[0].Keys(pattern: options.RedisKeyPrefix + ":*").ToList();
        Assert.Empty(keys);
    }

    [Fact]
    public async Task CollectDueAsync_VersionNoLongerMonitored_DropsItsWindow()
    {
        var time = new ManualTimeProvider(T0);
        var profile = Profile();
        var recorder = new DriftRecorder(profile, DriftWindowOptions.Default, time);
        var coordinator = new DriftWindowCoordinator(new LocalDriftWindowExchange(), time, NullLogger.Instance);

        coordinator.Close(Monitor(profile, recorder, time), recorder.Rotate(), default);
        var ready = await coordinator.CollectDueAsync(new HashSet<VersionDriftMonitor>(), default);

        Assert.Empty(ready);
        Assert.Equal(0, coordinator.PendingCount);
    }

    private static (VersionDriftMonitor Monitor, DriftWindowCoordinator Coordinator, HashSet<VersionDriftMonitor> Live) Replica(
        IConnectionMultiplexer connection, ReferenceProfile profile, DriftOptions options, TimeProvider time)
    {
        var exchange = new RedisDriftWindowExchange(connection, options, time, NullLogger<RedisDriftWindowExchange>.Instance);
        var monitor = Monitor(profile, new DriftRecorder(profile, Aligned(), time), time);
        return (monitor, new DriftWindowCoordinator(exchange, time, NullLogger.Instance), [monitor]);
    }
}
