using System.Collections.Concurrent;
using Serving.Core.Rollouts;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Rollouts;

/// <summary>Canary weights and sticky cohorts over real HTTP.</summary>
public sealed class CanaryRoutingTests
{
    private static RolloutPolicy Canary(RolloutPolicy p, double weight) => p with
    {
        Mode = RolloutMode.Canary,
        Canary = new CanarySettings { StableVersion = 2, CanaryVersion = 1, Weight = weight },
    };

    [Fact]
    public async Task Weight10_Over20000Requests_CanaryShareWithinOnePercent()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models);
        await RolloutHost.SetAsync(host, p => Canary(p, 10));

        var counts = new ConcurrentDictionary<string, int>();
        await Parallel.ForAsync(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var (variant, version) = await RolloutHost.SendAsync(host.Client, i % 32);
            Assert.Equal(variant == "canary" ? "1" : "2", version);
            counts.AddOrUpdate(variant, 1, static (_, n) => n + 1);
        });

        var share = counts.GetValueOrDefault("canary") / 20_000.0 * 100;
        Assert.InRange(share, 9.0, 11.0);
        Assert.Equal(20_000, counts.GetValueOrDefault("canary") + counts.GetValueOrDefault("stable"));
    }

    [Fact]
    public async Task RoutingKeys_20000Distinct_ShareWithinOnePercentAndStickyAcrossRestart()
    {
        var state = Directory.CreateTempSubdirectory("serving-state-").FullName;
        try
        {
            var first = new ConcurrentDictionary<int, string>();
            await using (var host = await GatewayHost.StartAsync(RepositoryPaths.Models, stateDirectory: state))
            {
                await RolloutHost.SetAsync(host, p => Canary(p, 10));
                await Parallel.ForAsync(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
                {
                    var (variant, _) = await RolloutHost.SendAsync(host.Client, i % 32, key: $"user-{i}");
                    first[i] = variant;
                });
                var share = first.Values.Count(static v => v == "canary") / 20_000.0 * 100;
                Assert.InRange(share, 9.0, 11.0);

                for (var i = 0; i < 1_000; i++)
                {
                    var (again, _) = await RolloutHost.SendAsync(host.Client, i % 32, key: $"user-{i}");
                    Assert.Equal(first[i], again);
                }
            }

            // A new gateway process over the same state: the policy is read back and every key keeps its cohort.
            await using var restarted = await GatewayHost.StartAsync(RepositoryPaths.Models, stateDirectory: state);
            await Polling.UntilAsync(() => restarted.Services.GetService(typeof(Serving.Gateway.Rollouts.RolloutSyncService)) is Serving.Gateway.Rollouts.RolloutSyncService s
                && s.Table.TryGet(RolloutHost.Model, out _), "the restarted gateway reads the rollout");
            for (var i = 0; i < 1_000; i++)
            {
                var (afterRestart, _) = await RolloutHost.SendAsync(restarted.Client, i % 32, key: $"user-{i}");
                Assert.Equal(first[i], afterRestart);
            }
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
