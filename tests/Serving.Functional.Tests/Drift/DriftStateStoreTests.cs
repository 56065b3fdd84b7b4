using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Drift;
using Serving.Functional.Tests.Registry;
using Serving.Gateway.Drift;
using StackExchange.Redis;

namespace Serving.Functional.Tests.Drift;

/// <summary>Both drift state stores keep alarms and history exactly (NaN included), and forget them on delete: files, and a real redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class DriftStateStoreTests(RedisServerFixture redis)
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task FileStore_SaveLoadDelete_RoundTripsAndForgets()
    {
        var directory = Directory.CreateTempSubdirectory("serving-drift-state-").FullName;
        try
        {
            await RoundTripAsync(new FileDriftStateStore(directory, NullLogger<FileDriftStateStore>.Instance));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task RedisStore_SaveLoadDelete_RoundTripsAndForgets()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var options = new DriftOptions { RedisKeyPrefix = "test:" + Guid.NewGuid().ToString("N") };

        await RoundTripAsync(new RedisDriftStateStore(connection, options, NullLogger<RedisDriftStateStore>.Instance));
    }

    private static async Task RoundTripAsync(IDriftStateStore store)
    {
        var state = State();

        Assert.Null(await store.LoadAsync("credit-risk", "2", default));
        Assert.True(await store.SaveAsync("credit-risk", "2", state, default));
        var loaded = await store.LoadAsync("credit-risk", "2", default);

        Assert.NotNull(loaded);
        Assert.Equal(Json(state), Json(loaded));
        var alarm = Assert.Single(loaded.Alarms);
        Assert.Equal(AlarmState.Firing, alarm.State);
        Assert.Equal([T0, T0.AddMinutes(10)], AlarmSnapshot.DriftingWindowEnds(alarm.Recent).ToArray());
        Assert.True(double.IsNaN(loaded.History[0].Columns[0].ChiSquarePValue));
        Assert.True(await store.DeleteAsync("credit-risk", "2", default));
        Assert.Null(await store.LoadAsync("credit-risk", "2", default));
    }

    private static string Json(DriftVersionState state) => JsonSerializer.Serialize(state, DriftStateJsonContext.Default.DriftVersionState);

    private static DriftVersionState State() => new(
        [
            new AlarmSnapshot
            {
                Name = "years_at_employer",
                State = AlarmState.Firing,
                Since = T0.AddMinutes(10),
                Severity = DriftSeverity.Critical,
                CleanStreak = 1,
                Recent = [new AlarmWindow(T0, true, DriftSeverity.Warning), new AlarmWindow(T0.AddMinutes(5), false, DriftSeverity.None),
                    new AlarmWindow(T0.AddMinutes(10), true, DriftSeverity.Critical)],
            },
        ],
        [
            new DriftHistoryWindow(T0, T0.AddMinutes(5), 500, T0.AddMinutes(5).AddSeconds(2),
            [
                new DriftHistoryColumn("years_at_employer", "feature", "ks", 1.25, 1e-30, 0.4, 1e-20, 2e-19, "exact", double.NaN,
                    0.0, 0.0, 500, 500, "drift", "critical", [1.0, 2.5], [0.5, 0.25, 0.25], [0.1, 0.2, 0.7]),
            ]),
        ]);
}
