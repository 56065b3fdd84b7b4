using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Inference;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Lifecycle;

/// <summary>Loading and unloading a version many times leaks neither sessions nor memory.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class LoadUnloadMemoryTests
{
    private const string Model = "credit-risk";

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
            await HotSwapTests.TransitionAsync(store, 1, ModelStage.Archived);
            await Polling.UntilAsync(() => Find(host, 1) is null, "v1 unloaded");
            await HotSwapTests.TransitionAsync(store, 1, ModelStage.Staging);
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

    private static LoadedVersion? Find(GatewayHost host, int version) =>
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
