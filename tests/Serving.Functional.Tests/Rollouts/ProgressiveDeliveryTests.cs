using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Core.Rollouts;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Alerts;
using Serving.Gateway.Batching;
using Serving.Gateway.Rollouts;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Rollouts;

/// <summary>A plan runs by itself: a healthy canary is promoted, a bad one aborted with its numbers.</summary>
public sealed class ProgressiveDeliveryTests
{
    private const string Model = RolloutHost.Model;

    [Fact]
    public async Task HealthyCanary_PlanPasses_IsPromotedInTheRegistry()
    {
        await using var host = await StartAsync(failCanary: false);
        var canary = await RegisterCanaryAsync(host);
        await StartPlanAsync(host, canary);

        using var traffic = new CancellationTokenSource();
        var load = SendUntilAsync(host, traffic.Token);
        var registry = host.Services.GetRequiredService<IRegistryStore>();
        var store = host.Services.GetRequiredService<IRolloutStore>();
        await Polling.UntilAsync(() => registry.GetAsync(Model).GetAwaiter().GetResult()!.Production?.Version == canary
            || store.GetAsync(Model).GetAwaiter().GetResult()!.Progress!.Status == RolloutStatus.Aborted, "the canary is promoted in the registry");
        var production = (await registry.GetAsync(Model))!.Production?.Version;
        Assert.True(production == canary, await host.Client.GetStringAsync($"/admin/rollouts/{Model}"));
        await traffic.CancelAsync();
        var (variants, failures) = await load;

        Assert.Equal(0, failures);
        Assert.True(variants.GetValueOrDefault("canary") > 0, "the canary took traffic during the plan");
        var policy = await store.GetAsync(Model);
        Assert.Equal(RolloutStatus.Promoted, policy!.Progress!.Status);
    }

    [Fact]
    public async Task FailingCanary_AnalysisFails_AbortedWithNumbersAndNoFurtherCanaryTraffic()
    {
        await using var host = await StartAsync(failCanary: true);
        var canary = await RegisterCanaryAsync(host);
        await StartPlanAsync(host, canary);

        using var traffic = new CancellationTokenSource();
        var load = SendUntilAsync(host, traffic.Token);
        var store = host.Services.GetRequiredService<IRolloutStore>();
        await Polling.UntilAsync(() => store.GetAsync(Model).GetAwaiter().GetResult()!.Progress!.Status == RolloutStatus.Aborted, "the rollout aborts");
        await traffic.CancelAsync();
        await load;
        // The loop commits the abort before it refreshes this gateway's table: do not race it.
        await host.Services.GetRequiredService<RolloutSyncService>().RefreshAsync(default);

        var policy = await store.GetAsync(Model);
        Assert.Equal(0, policy!.Canary!.Weight);
        var after = await SendAsync(host, 2_000);
        Assert.Equal(0, after.GetValueOrDefault("canary"));
        var registry = await host.Services.GetRequiredService<IRegistryStore>().GetAsync(Model);
        Assert.Equal(ModelStage.Archived, registry!.FindVersion(canary)!.Stage);
        var audit = await host.Services.GetRequiredService<IRegistryStore>().GetAuditAsync(Model);
        Assert.Contains(audit, e => e.Version == canary && e.Reason is { } r && r.Contains("error rate", StringComparison.OrdinalIgnoreCase));
        await Polling.UntilAsync(
            () => host.Services.GetRequiredService<AlertNotifier>().History.Any(d => d.Alert.Labels["alertname"] == "CanaryRolloutAborted"),
            "the abort alert is sent");
    }

    [Fact]
    public async Task AlertmanagerWebhook_NamingTheCanary_AbortsItsRollout()
    {
        await using var host = await StartAsync(failCanary: false, analysisSeconds: 3600);
        var canary = await RegisterCanaryAsync(host);
        await StartPlanAsync(host, canary);

        using var response = await host.Client.PostAsJsonAsync("/admin/alerts", new JsonObject
        {
            ["version"] = "4",
            ["status"] = "firing",
            ["alerts"] = new JsonArray(new JsonObject
            {
                ["status"] = "firing",
                ["labels"] = new JsonObject { ["alertname"] = "ModelDriftCritical", ["model"] = Model, ["version"] = canary.ToString() },
                ["annotations"] = new JsonObject { ["summary"] = "years_at_employer drifted" },
                ["startsAt"] = "2026-11-22T20:00:00Z",
            }),
        });

        Assert.Equal(200, (int)response.StatusCode);
        var policy = await host.Services.GetRequiredService<IRolloutStore>().GetAsync(Model);
        Assert.Equal((RolloutStatus.Aborted, 0.0), (policy!.Progress!.Status, policy.Canary!.Weight));
        Assert.Contains("ModelDriftCritical", policy.Progress.Reason, StringComparison.Ordinal);
    }

    private static Task<GatewayHost> StartAsync(bool failCanary, int analysisSeconds = 1) =>
        GatewayHost.StartAsync(RepositoryPaths.Models, ["--Serving:Rollouts:TickInterval=00:00:00.2"], models =>
            models.ExecutorDecorator = (descriptor, inner) => failCanary && descriptor.Version == 3 ? new FailingExecutor() : inner);

    /// <summary>Registers version 3 from version 2's artifact: same metrics, same predictions.</summary>
    private static async Task<int> RegisterCanaryAsync(GatewayHost host)
    {
        using var registered = await host.Client.PostAsJsonAsync($"/admin/models/{Model}/versions", new { artifact = "credit-risk/2/model.onnx", actor = "test" });
        Assert.Equal(201, (int)registered.StatusCode);
        return (int)JsonNode.Parse(await registered.Content.ReadAsStringAsync())!["version"]!;
    }

    private static async Task StartPlanAsync(GatewayHost host, int canary)
    {
        var thresholds = new AnalysisThresholds
        {
            // PSI over ten bins needs a few hundred values per cohort before sampling noise stays well under
            // the limit (with 66 canary values a healthy canary once measured 0.29).
            MinimumRequests = 400,
            MaxErrorRateIncrease = 0.01,
            MinimumPredictions = 400,
            MaxPredictionPsi = 0.2,
            // Latency and KS are left out: on a shared 2-core test machine they would judge the noise.
            MaxLatencyP99Ratio = null,
            MaxPredictionKsStatistic = null,
        };
        var plan = new RolloutPlan { Steps = [RolloutStep.SetWeight(20), RolloutStep.Analysis(thresholds, TimeSpan.FromSeconds(1))] };
        await RolloutHost.SetAsync(host, p => p with
        {
            Mode = RolloutMode.Canary,
            Canary = new CanarySettings { StableVersion = 2, CanaryVersion = canary, Weight = 0 },
            Plan = plan,
        });
        using var started = await host.Client.PostAsJsonAsync($"/admin/rollouts/{Model}/start", new { actor = "test", reason = "progressive test" });
        Assert.Equal(200, (int)started.StatusCode);
        await host.Services.GetRequiredService<RolloutSyncService>().RefreshAsync(default);
    }

    private static async Task<(Dictionary<string, int> Variants, int Failures)> SendUntilAsync(GatewayHost host, CancellationToken stop)
    {
        var variants = new Dictionary<string, int>();
        var failures = 0;
        var row = 0;
        while (!stop.IsCancellationRequested)
        {
            using var response = await host.Client.PostJsonAsync(Infer.Path(Model), Infer.CreditRiskJson([row++ % 32]));
            var variant = response.Headers.TryGetValues("x-model-variant", out var v) ? v.Single() : "none";
            variants[variant] = variants.GetValueOrDefault(variant) + 1;
            if ((int)response.StatusCode != 200 && variant != "canary")
            {
                failures++;
            }
        }
        return (variants, failures);
    }

    private static async Task<Dictionary<string, int>> SendAsync(GatewayHost host, int count)
    {
        var variants = new Dictionary<string, int>();
        for (var i = 0; i < count; i++)
        {
            using var response = await host.Client.PostJsonAsync(Infer.Path(Model), Infer.CreditRiskJson([i % 32]));
            Assert.Equal(200, (int)response.StatusCode);
            var variant = response.Headers.GetValues("x-model-variant").Single();
            variants[variant] = variants.GetValueOrDefault(variant) + 1;
        }
        return variants;
    }

    private sealed class FailingExecutor : IBatchExecutor
    {
        public string? Execute(IReadOnlyList<InferenceWorkItem> batch, int totalRows) => "the canary model is broken";
    }
}
