using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Drift;
using Serving.Functional.Tests.Registry;
using Serving.Gateway.Drift;
using Serving.Testing.Common;
using StackExchange.Redis;
using static Serving.Functional.Tests.Drift.DriftExchangeTestData;

namespace Serving.Functional.Tests.Drift;

[Collection(RedisCollection.Name)]
public sealed class RedisDriftWindowExchangeTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly List<ConnectionMultiplexer> _connections = [];
    private readonly ManualTimeProvider _time = new(T0.AddSeconds(5));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task TryReadMergedAsync_TwoReplicasPublished_CountsAddUpAndSamplesAreTheUnion()
    {
        var profile = Profile();
        var options = Options();
        var (a, b) = (Replica(options, "a"), Replica(options, "b"));
        var (windowA, windowB) = RecordTwoReplicas(profile, 300, 0.0, 200, 0.8);
        var key = Key(profile);

        Assert.True(await a.PublishAsync(key, windowA, default));
        Assert.True(await b.PublishAsync(key, windowB, default));
        var fromA = await a.TryReadMergedAsync(key, default);
        var fromB = await b.TryReadMergedAsync(key, default);

        Assert.NotNull(fromA);
        Assert.NotNull(fromB);
        Assert.Equal(2, fromA.Replicas);
        var merged = fromA.Window;
        Assert.Equal(500, merged.RowCount);
        Assert.Equal(profile.Model, merged.Model);
        Assert.Equal(profile.Version, merged.Version);
        for (var c = 0; c < profile.Columns.Length; c++)
        {
            var (ca, cb, cm) = (windowA.Columns[c], windowB.Columns[c], merged.Columns[c]);
            Assert.Equal(profile.Columns[c].BinCount, cm.BinCounts.Length);
            for (var bin = 0; bin < cm.BinCounts.Length; bin++)
            {
                Assert.Equal(ca.BinCounts[bin] + cb.BinCounts[bin], cm.BinCounts[bin]);
            }
            Assert.Equal(ca.MissingCount + cb.MissingCount, cm.MissingCount);
            Assert.Equal(ca.Samples.AddRange(cb.Samples).Sort().ToArray(), cm.Samples.Sort().ToArray());
            Assert.Equal(cm.BinCounts.ToArray(), fromB.Window.Columns[c].BinCounts.ToArray());
            Assert.Equal(cm.Samples.ToArray(), fromB.Window.Columns[c].Samples.ToArray());
        }
        Assert.Equal(25, merged.Columns[1].MissingCount);
        Assert.Equal(Min(windowA.Start, windowB.Start).ToUnixTimeMilliseconds(), merged.Start.ToUnixTimeMilliseconds());
        Assert.Equal(Max(windowA.End, windowB.End).ToUnixTimeMilliseconds(), merged.End.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task TryReadMergedAsync_TwoReplicasPublished_PsiAndKsEqualTheEvaluatorOnALocalMerge()
    {
        var profile = Profile();
        var options = Options();
        var (a, b) = (Replica(options, "a"), Replica(options, "b"));
        // Replica b sees shifted traffic: the merged window must show it diluted by a's, not a's alone.
        var (windowA, windowB) = RecordTwoReplicas(profile, 400, 0.0, 250, 1.0);
        var key = Key(profile);
        await a.PublishAsync(key, windowA, default);
        await b.PublishAsync(key, windowB, default);

        var viaRedis = new DriftEvaluator(profile, _time).Evaluate((await a.TryReadMergedAsync(key, default))!.Window, Thresholds);
        var viaMerge = new DriftEvaluator(profile, _time).Evaluate(windowA.Merge(windowB), Thresholds);
        var aloneA = new DriftEvaluator(profile, _time).Evaluate(windowA, Thresholds);

        Assert.Equal(650, viaRedis.RowCount);
        for (var c = 0; c < profile.Columns.Length; c++)
        {
            var (r, m) = (viaRedis.Columns[c], viaMerge.Columns[c]);
            Assert.Equal(m.LiveCount, r.LiveCount);
            Assert.Equal(m.LiveSampleCount, r.LiveSampleCount);
            Assert.Equal(m.Psi, r.Psi);
            Assert.Equal(m.KsStatistic, r.KsStatistic);
            Assert.Equal(m.PValue, r.PValue);
            Assert.Equal(m.AdjustedPValue, r.AdjustedPValue);
            Assert.Equal(m.Verdict, r.Verdict);
        }
        Assert.NotEqual(aloneA.Columns[0].Psi, viaRedis.Columns[0].Psi);
        Assert.Equal(DriftVerdict.Drift, viaRedis.Columns[0].Verdict);
    }

    [Fact]
    public async Task PublishAsync_SamplesBeyondMergedCapacity_KeepsTheFirstPublishedUpToTheCap()
    {
        var profile = Profile();
        var options = Options(mergedSampleCapacity: 350);
        var (a, b) = (Replica(options, "a"), Replica(options, "b"));
        var (windowA, windowB) = RecordTwoReplicas(profile, 300, 0.0, 200, 0.5);
        var key = Key(profile);

        await a.PublishAsync(key, windowA, default);
        await b.PublishAsync(key, windowB, default);
        var merged = (await b.TryReadMergedAsync(key, default))!.Window;

        // Column 0 has no missing values: a's 300, then b's first 50.
        Assert.Equal([.. windowA.Columns[0].Samples, .. windowB.Columns[0].Samples.Take(50)], merged.Columns[0].Samples.ToArray());
        // PSI still counts every row.
        Assert.Equal(500, merged.Columns[0].ValidCount);
    }

    [Fact]
    public async Task PublishAsync_SameReplicaTwice_CountsOnce()
    {
        var profile = Profile();
        var a = Replica(Options(), "a");
        var (windowA, _) = RecordTwoReplicas(profile, 120, 0.0, 0, 0.0);
        var key = Key(profile);

        Assert.True(await a.PublishAsync(key, windowA, default));
        Assert.True(await a.PublishAsync(key, windowA, default));
        var merged = await a.TryReadMergedAsync(key, default);

        Assert.Equal(1, merged!.Replicas);
        Assert.Equal(120, merged.Window.RowCount);
        Assert.Equal(windowA.Columns[0].BinCounts.ToArray(), merged.Window.Columns[0].BinCounts.ToArray());
    }

    [Fact]
    public async Task PublishAsync_Window_KeyExpiresAfterTenWindowsAndTheGrace()
    {
        var profile = Profile();
        var options = Options();
        var a = Replica(options, "a");
        var (windowA, _) = RecordTwoReplicas(profile, 10, 0.0, 0, 0.0);
        var key = Key(profile);

        await a.PublishAsync(key, windowA, default);
        var ttl = await Connect().GetDatabase().KeyTimeToLiveAsync(a.KeyOf(key));

        Assert.Equal($"{options.RedisKeyPrefix}:{profile.Model}:3:{key.WindowId}", a.KeyOf(key).ToString());
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10) + options.MergeGrace);
    }

    [Fact]
    public async Task PublishAsync_ReplicaWithOtherReferenceBins_IsRefusedAndReadsFallBack()
    {
        var profile = Profile();
        var skewed = Profile(profile.Model, scale: 2.0);
        var options = Options();
        var (a, b) = (Replica(options, "a"), Replica(options, "b"));
        var (windowA, _) = RecordTwoReplicas(profile, 100, 0.0, 0, 0.0);
        var recorderB = new DriftRecorder(skewed, Aligned(), _time);
        Record(recorderB, 100, 0.0, seed: 3);
        var windowB = recorderB.Rotate();

        Assert.True(await a.PublishAsync(Key(profile), windowA, default));
        Assert.False(await b.PublishAsync(Key(skewed), windowB, default));
        Assert.Null(await b.TryReadMergedAsync(Key(skewed), default));
        Assert.Equal(100, (await a.TryReadMergedAsync(Key(profile), default))!.Window.RowCount);
    }

    [Fact]
    public async Task TryReadMergedAsync_ThisReplicaDidNotPublish_ReturnsNull()
    {
        var profile = Profile();
        var options = Options();
        var (a, b) = (Replica(options, "a"), Replica(options, "b"));
        var (windowA, _) = RecordTwoReplicas(profile, 100, 0.0, 0, 0.0);
        var key = Key(profile);
        var failures = DriftMetrics.MergeFailures.WithLabels(profile.Model, profile.Version, "read").Value;

        await a.PublishAsync(key, windowA, default);

        Assert.Null(await b.TryReadMergedAsync(key, default));
        Assert.Null(await b.TryReadMergedAsync(key with { WindowId = key.WindowId + 1 }, default));
        Assert.Equal(failures + 2, DriftMetrics.MergeFailures.WithLabels(profile.Model, profile.Version, "read").Value);
    }

    private static DriftWindowKey Key(ReferenceProfile profile) =>
        new(profile, WindowLength, Aligned().WindowIdOf(T0));

    private (DriftWindowSnapshot A, DriftWindowSnapshot B) RecordTwoReplicas(ReferenceProfile profile, int rowsA, double shiftA, int rowsB, double shiftB)
    {
        var a = new DriftRecorder(profile, Aligned(), _time);
        var b = new DriftRecorder(profile, Aligned(), _time);
        Record(a, rowsA, shiftA, seed: 1);
        Record(b, rowsB, shiftB, seed: 2);
        _time.Advance(TimeSpan.FromMinutes(1));
        return (a.Rotate(), b.Rotate());
    }

    private RedisDriftWindowExchange Replica(DriftOptions options, string name) =>
        new(Connect(), options, _time, NullLogger<RedisDriftWindowExchange>.Instance, name);

    private ConnectionMultiplexer Connect()
    {
        // One connection per exchange: each behaves as a separate gateway replica.
        var connection = ConnectionMultiplexer.Connect(redis.ConnectionString);
        _connections.Add(connection);
        return connection;
    }

    private static DateTimeOffset Min(DateTimeOffset x, DateTimeOffset y) => x <= y ? x : y;

    private static DateTimeOffset Max(DateTimeOffset x, DateTimeOffset y) => x >= y ? x : y;
}
