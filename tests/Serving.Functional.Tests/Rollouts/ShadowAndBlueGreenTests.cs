using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Rollouts;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Lifecycle;
using Serving.Gateway.Batching;
using Serving.Gateway.Rollouts;
using Serving.Testing.Common;
using Xunit.Abstractions;

namespace Serving.Functional.Tests.Rollouts;

/// <summary>Shadow copies never touch the primary; blue-green switches lose nothing.</summary>
public sealed class ShadowAndBlueGreenTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("sleep")]
    [InlineData("fail")]
    public async Task Shadow_SlowOrFailing_PrimaryAnswersEveryRequestCorrectly(string behaviour)
    {
        // Version 1 is the shadow; its executor sleeps 500 ms per batch or fails every batch.
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models, beforeStart: models =>
            models.ExecutorDecorator = (descriptor, inner) => descriptor.Version == 1 ? new MisbehavingExecutor(inner, behaviour) : inner);
        await RolloutHost.SetAsync(host, p => p with
        {
            Mode = RolloutMode.Canary,
            Canary = new CanarySettings { StableVersion = 2, CanaryVersion = null, Weight = 0 },
        });
        await PrimaryLatenciesAsync(host, 200); // warm-up, so both measured phases run jitted code
        var without = await PrimaryLatenciesAsync(host, 400);

        await RolloutHost.SetAsync(host, p => p with { Shadow = new ShadowSettings { Version = 1, Percentage = 100 } });
        var with = await PrimaryLatenciesAsync(host, 400);

        var rollout = host.Services.GetRequiredService<RolloutSyncService>().Table;
        Assert.True(rollout.TryGet(RolloutHost.Model, out var runtime));
        await Polling.UntilAsync(() => host.Services.GetRequiredService<ShadowDispatcher>().InFlight == 0, "shadow copies to finish");
        var shadow = runtime.Shadow.Snapshot();
        if (behaviour == "fail")
        {
            Assert.True(shadow.Errors > 0, "the failing shadow's errors are counted");
        }
        else
        {
            Assert.True(shadow.Drops + shadow.Timeouts > 0, "copies beyond the slow shadow's capacity are dropped or time out");
        }
        // Reported, not asserted: the side-by-side p99 of the primary without and with the shadow.
        output.WriteLine($"{behaviour}: primary p99 {without:F1} ms without the shadow, {with:F1} ms with it; shadow {shadow.Requests} compared, " +
            $"{shadow.Drops} dropped, {shadow.Timeouts} timed out, {shadow.Errors} failed");
    }

    [Fact]
    public async Task BlueGreen_SwitchAndBackUnderLoad_NoRequestFails()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models);
        await RolloutHost.SetAsync(host, p => p with
        {
            Mode = RolloutMode.BlueGreen,
            BlueGreen = new BlueGreenSettings { ActiveVersion = 2, PreviewVersion = 1 },
        });
        Assert.Equal(("preview", "1"), await RolloutHost.SendAsync(host.Client, 0, preview: true));
        Assert.Equal(("active", "2"), await RolloutHost.SendAsync(host.Client, 0));

        await using var load = new CreditRiskLoad(host.Client, clients: 4);
        await load.WaitForAsync(2, 50);
        for (var i = 0; i < 5; i++)
        {
            await RolloutHost.SetAsync(host, p => p with { BlueGreen = new BlueGreenSettings { ActiveVersion = 1, PreviewVersion = 2 } });
            await load.WaitForAsync(1, 50);
            await RolloutHost.SetAsync(host, p => p with { BlueGreen = new BlueGreenSettings { ActiveVersion = 2, PreviewVersion = 1 } });
            await load.WaitForAsync(2, 50);
        }

        Assert.Empty(load.Failures);
    }

    private static async Task<double> PrimaryLatenciesAsync(GatewayHost host, int count)
    {
        var latencies = new double[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var watch = Stopwatch.StartNew();
            var (variant, version) = await RolloutHost.SendAsync(host.Client, i % 32);
            latencies[i] = watch.Elapsed.TotalMilliseconds;
            Assert.Equal(("stable", "2"), (variant, version));
        });
        Array.Sort(latencies);
        return latencies[(int)(count * 0.99)];
    }

    private sealed class MisbehavingExecutor(IBatchExecutor inner, string behaviour) : IBatchExecutor
    {
        public string? Execute(IReadOnlyList<InferenceWorkItem> batch, int totalRows)
        {
            if (behaviour == "fail")
            {
                return "the shadow model is broken";
            }
            Thread.Sleep(500);
            return inner.Execute(batch, totalRows);
        }
    }
}
