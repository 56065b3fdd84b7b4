using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Inference;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Lifecycle;

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

    internal static async Task TransitionAsync(IRegistryStore store, int version, ModelStage stage)
    {
        var result = await store.TransitionAsync(Model, version, new TransitionRequest(stage, "test", "lifecycle test"));
        Assert.True(result.IsSuccess, result.Error?.Message);
    }

    internal static int? DefaultVersion(GatewayHost host) =>
        host.Models.Catalog.TryGetModel(Model, out var entry) ? entry.DefaultVersion()?.Version : null;
}
