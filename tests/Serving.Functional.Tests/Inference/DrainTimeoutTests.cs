using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Inference;
using Serving.Gateway.Metrics;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Inference;

/// <summary>
/// A leaving version whose requests outlast the drain timeout: they are cancelled (503), and the session,
/// the executor's pinned buffers and the batcher's runner thread are all released.
/// </summary>
public sealed class DrainTimeoutTests
{
    private const string Model = "drain-probe";

    [Fact]
    public async Task Unload_RequestsPastDrainTimeout_CancelledWith503AndEverythingReleased()
    {
        using var repository = new CopiedRepository(Model);
        GatedExecutor? gate = null;
        OrtBatchExecutor? executor = null;
        await using var host = await GatewayHost.StartAsync(repository.Root, ["--Serving:DrainTimeout=00:00:00.5"], models =>
            models.ExecutorDecorator = (descriptor, inner) =>
            {
                if (descriptor.Version != 1)
                {
                    return inner;
                }
                executor = (OrtBatchExecutor)inner;
                return gate = new GatedExecutor(inner);
            });
        // The seed puts version 2 in Production and 1 in Staging.
        var registry = host.Services.GetRequiredService<IRegistryStore>();
        await Polling.UntilAsync(() => host.Models.Catalog.TryGetModel(Model, out var e) && e.Find(1)?.State == VersionState.Ready, "version 1 is ready");
        Assert.True(host.Models.Catalog.TryGetModel(Model, out var entry));
        var version = entry.Find(1)!;
        var batcher = version.Batcher!;

        // A request held at the gate and one queued behind it: the queued one is handed to the runner thread.
        gate!.Arm();
        var first = PostAsync(host, 0);
        await gate.WaitUntilHeldAsync();
        var second = PostAsync(host, 1);
        await Polling.UntilAsync(() => batcher.Depth == 1, "the second request queues");
        gate.Open();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        var runner = batcher.RunnerThread;
        Assert.NotNull(runner);
        Assert.True(runner.IsAlive);

        // Again, and archive the version while both are in flight: the drain times out.
        gate.Arm();
        var held = PostAsync(host, 2);
        await gate.WaitUntilHeldAsync();
        var queued = PostAsync(host, 3);
        await Polling.UntilAsync(() => batcher.Depth == 1, "the fourth request queues");
        var archived = await registry.TransitionAsync(Model, 1, new TransitionRequest(ModelStage.Archived, "test", "drain test"));
        Assert.True(archived.IsSuccess, archived.Error?.Message);

        using (var cancelled = await queued)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, cancelled.StatusCode);
        }
        await Polling.UntilAsync(() => !runner.IsAlive, "the runner thread ends");
        // The held batch is still inside the executor: nothing is disposed under it.
        Assert.Equal(VersionState.Draining, version.State);
        Assert.False(executor!.IsDisposed);
        gate.Open();
        using (var terminated = await held)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, terminated.StatusCode);
        }

        await Polling.UntilAsync(() => version.State == VersionState.Unloaded, "version 1 unloads");
        Assert.True(version.SessionReleased);
        Assert.True(executor.IsDisposed);
        Assert.Equal(0, ServingMetrics.VersionState.WithLabels(Model, "1", "draining").Value);
        Assert.Equal(1, ServingMetrics.VersionState.WithLabels(Model, "1", "unloaded").Value);
        // Version 2 answered throughout.
        using var production = await host.Client.PostJsonAsync(Infer.Path(Model), Infer.CreditRiskJson([0]));
        Assert.Equal(HttpStatusCode.OK, production.StatusCode);
    }

    private static Task<HttpResponseMessage> PostAsync(GatewayHost host, int row) =>
        host.Client.PostJsonAsync(Infer.Path(Model, 1), Infer.CreditRiskJson([row]));
}
