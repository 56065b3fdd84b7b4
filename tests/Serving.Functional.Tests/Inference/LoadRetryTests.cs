using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Inference;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Inference;

/// <summary>A version that failed to load is loaded again with back-off; meanwhile readiness and a metric say Production is not what answers.</summary>
public sealed class LoadRetryTests
{
    private const string Model = "retry-probe";

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Next_RepeatedFailures_DoublesFromOneSecondUpToAMinute()
    {
        var retry = LoadRetry.None;
        var delays = new List<double>();
        for (var i = 0; i < 9; i++)
        {
            retry = retry.Next(T0);
            delays.Add(retry.Delay.TotalSeconds);
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], delays);
        Assert.Equal(9, retry.Failures);
        Assert.False(retry.IsDue(T0 + TimeSpan.FromSeconds(59)));
        Assert.True(retry.IsDue(T0 + TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Load_ProductionFileBrokenThenFixed_PreviousServesUntilTheRetryLoadsIt()
    {
        using var repository = new CopiedRepository(Model);
        await using var host = await GatewayHost.StartAsync(repository.Root);
        // Version 3 is registered from a good file (the registry records its sha256), then the file breaks.
        var good = repository.ArtifactPath(3).CreateParent();
        File.Copy(repository.ArtifactPath(2), good);
        using (var registered = await host.Client.PostAsJsonAsync($"/admin/models/{Model}/versions", new { artifact = $"{Model}/3/model.onnx", actor = "test" }))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        }
        var bytes = await File.ReadAllBytesAsync(good);
        await File.WriteAllBytesAsync(good, bytes.AsMemory(0, bytes.Length / 2));
        var registry = host.Services.GetRequiredService<IRegistryStore>();
        Assert.True((await registry.TransitionAsync(Model, 3, new TransitionRequest(ModelStage.Staging, "test", "retry test"))).IsSuccess);
        await Polling.UntilAsync(() => Find(host, 3)?.State == VersionState.Failed, "version 3 fails to load");
        var promoted = await registry.TransitionAsync(Model, 3, new TransitionRequest(ModelStage.Production, "test", "retry test", Force: true, ForceReason: "test"));
        Assert.True(promoted.IsSuccess, promoted.Error?.Message);
        await Polling.UntilAsync(() => host.Models.Catalog.TryGetModel(Model, out var e) && e.Production == 3, "the registry's Production version 3 reaches the host");

        // Version 2 keeps answering, and readiness and the metric say Production is not what answers.
        Assert.Equal("2", await AnsweringVersionAsync(host));
        using (var ready = await host.Client.GetAsync("/v2/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var degraded = (string?)ModelReadiness(await ready.Content.ReadAsStringAsync())["degraded"];
            // "failed to load: ..." or, while a retry runs, "is loading".
            Assert.Contains("the registry's Production version 3 ", degraded, StringComparison.Ordinal);
            Assert.Contains("version 2 answers by default", degraded, StringComparison.Ordinal);
        }
        Assert.Equal<double?>(0, await ProductionServingAsync(host));

        // The file is fixed: a retry loads it, and Production answers.
        await File.WriteAllBytesAsync(good, bytes);
        await Polling.UntilAsync(() => Find(host, 3)?.State == VersionState.Ready, "version 3 loads on a retry");
        await Polling.UntilAsync(() => host.Models.Catalog.TryGetModel(Model, out var e) && e.DefaultVersion()?.Version == 3, "version 3 answers by default");
        Assert.Equal("3", await AnsweringVersionAsync(host));
        Assert.Equal<double?>(1, await ProductionServingAsync(host));
        using (var ready = await host.Client.GetAsync("/v2/health/ready"))
        {
            Assert.Null(ModelReadiness(await ready.Content.ReadAsStringAsync())["degraded"]);
        }
    }

    private static LoadedVersion? Find(GatewayHost host, int version) =>
        host.Models.Catalog.TryGetModel(Model, out var entry) ? entry.Find(version) : null;

    private static async Task<string> AnsweringVersionAsync(GatewayHost host)
    {
        using var response = await host.Client.PostJsonAsync(Infer.Path(Model), Infer.CreditRiskJson([0]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("x-model-version").Single();
    }

    private static JsonNode ModelReadiness(string readiness) =>
        JsonNode.Parse(readiness)!["models"]!.AsArray().Single(m => (string?)m!["name"] == Model)!;

    private static async Task<double?> ProductionServingAsync(GatewayHost host) =>
        await Scrape.ValueAsync(host.Client, $"serving_production_version_serving{{model=\"{Model}\"}}");
}
