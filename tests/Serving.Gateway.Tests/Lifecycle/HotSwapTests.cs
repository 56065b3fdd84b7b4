using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Gateway.Inference;
using Serving.Gateway.Tests.Common;

namespace Serving.Gateway.Tests.Lifecycle;

/// <summary>The gateway serves what the registry says, and changing it under load loses nothing.</summary>
public sealed class HotSwapTests
{
    private const string Model = "credit-risk";

    [Fact]
    public async Task PromoteAndRollback_TwentyTimesUnderLoad_NoRequestFails()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models);
        var store = host.Services.GetRequiredService<IRegistryStore>();
        await using var load = new CreditRiskLoad(host.Client, clients: 4);
        await load.WaitForAsync(2, 20);

        for (var swap = 0; swap < 20; swap++)
        {
            var target = swap % 2 == 0 ? 1 : 2;
            if (target == 1)
            {
                await PromoteAsync(store, 1);
            }
            else
            {
                var rolledBack = await store.RollbackAsync(Model, new ChangeContext("test", "swap back"));
                Assert.True(rolledBack.IsSuccess, rolledBack.Error?.Message);
            }
            await Polling.UntilAsync(() => DefaultVersion(host) == target, $"version {target} serves by default");
            await load.WaitForAsync(target, 10);
        }

        Assert.Empty(load.Failures);
        Assert.True(load.ServedBy(1) >= 100 && load.ServedBy(2) >= 100, $"v1 {load.ServedBy(1)}, v2 {load.ServedBy(2)}");
    }

    [Fact]
    public async Task StageAndArchive_FiftyCycles_UnloadsSessionsAndMemoryStaysBounded()
    {
        // Bound: 50 load/unload cycles of a 4.5 KB model may not grow the process by more than 64 MiB.
        // A leaked ONNX Runtime session with its arena costs several MiB, so a leak per cycle exceeds it.
        const long BoundBytes = 64L * 1024 * 1024;
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models);
        var store = host.Services.GetRequiredService<IRegistryStore>();
        long baseline = 0;
        for (var cycle = 1; cycle <= 50; cycle++)
        {
            await TransitionAsync(store, 1, ModelStage.Archived);
            await Polling.UntilAsync(() => Find(host, 1) is null, "v1 unloaded");
            await TransitionAsync(store, 1, ModelStage.Staging);
            await Polling.UntilAsync(() => Find(host, 1)?.State == VersionState.Ready, "v1 loaded again");
            using var response = await host.Client.PostJsonAsync(Infer.Path(Model, 1), Infer.CreditRiskJson([0]));
            Assert.Equal(200, (int)response.StatusCode);
            if (cycle == 5)
            {
                baseline = SettledMemory();
            }
        }

        var growth = SettledMemory() - baseline;
        Assert.True(growth < BoundBytes, $"private memory grew by {growth / (1024 * 1024)} MiB over 45 cycles (bound {BoundBytes / (1024 * 1024)} MiB)");
    }

    internal static async Task PromoteAsync(IRegistryStore store, int version)
    {
        var state = await store.GetAsync(Model);
        if (state!.FindVersion(version)!.Stage is ModelStage.Archived or ModelStage.None)
        {
            await TransitionAsync(store, version, ModelStage.Staging);
        }
        var promoted = await store.TransitionAsync(Model, version,
            new TransitionRequest(ModelStage.Production, "test", "hot swap", Force: true, ForceReason: "test swaps regardless of metrics"));
        Assert.True(promoted.IsSuccess, promoted.Error?.Message);
    }

    private static async Task TransitionAsync(IRegistryStore store, int version, ModelStage stage)
    {
        var result = await store.TransitionAsync(Model, version, new TransitionRequest(stage, "test", "lifecycle test"));
        Assert.True(result.IsSuccess, result.Error?.Message);
    }

    internal static int? DefaultVersion(GatewayHost host) =>
        host.Models.Catalog.TryGetModel(Model, out var entry) ? entry.DefaultVersion()?.Version : null;

    private static global::Serving.Gateway.Inference.ModelVersion? Find(GatewayHost host, int version) =>
        host.Models.Catalog.TryGetModel(Model, out var entry) ? entry.Find(version) : null;

    private static long SettledMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.PrivateMemorySize64;
    }
}
