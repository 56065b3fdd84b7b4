using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Outcomes;
using Serving.Core.Registry;
using Serving.Core.Rollouts;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Rollouts;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Rollouts;

/// <summary>
/// The experiment step through a real gateway: canary and stable serve real predictions, the outcomes come back
/// through every registered <see cref="ILabelledPredictionObserver"/> (as the feedback API hands them on), the
/// rollout loop looks at the experiment and aborts a canary whose outcomes are worse, with the numbers in the
/// rollout status, the policy's reason and the registry's audit entry.
/// </summary>
public sealed class ExperimentRolloutTests
{
    private const string Model = RolloutHost.Model;

    [Fact]
    public async Task CanaryWithWorseOutcomes_ExperimentFails_AbortedWithTheNumbersInStatusAndAudit()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models, ["--Serving:Rollouts:TickInterval=00:00:00.2"]);
        var canary = await RegisterCanaryAsync(host);
        var plan = new RolloutPlan
        {
            Steps = [RolloutStep.SetWeight(50), RolloutStep.Experiment("log_loss", 0.05, TimeSpan.FromSeconds(1)), RolloutStep.SetWeight(100)],
        };
        await RolloutHost.SetAsync(host, p => p with
        {
            Mode = RolloutMode.Canary,
            Canary = new CanarySettings { StableVersion = 2, CanaryVersion = canary, Weight = 0 },
            Plan = plan,
        });
        using (var started = await host.Client.PostAsJsonAsync($"/admin/rollouts/{Model}/start", new { actor = "test", reason = "experiment test" }))
        {
            Assert.Equal(200, (int)started.StatusCode);
        }
        await host.Services.GetRequiredService<RolloutSyncService>().RefreshAsync(default);

        var observers = host.Services.GetServices<ILabelledPredictionObserver>().ToList();
        var store = host.Services.GetRequiredService<IRolloutStore>();
        var random = new Random(42);
        var sent = 0;
        while ((await store.GetAsync(Model))!.Progress!.Status == RolloutStatus.Analyzing && sent < 6000)
        {
            var (variant, version, probability) = await PredictAsync(host, sent);
            // The applicants the canary approved defaulted more often than it said: its outcomes are worse.
            var truth = variant == "canary" ? Math.Min(1.0, probability + 0.35) : probability;
            var label = random.NextDouble() < truth ? 1 : 0;
            var now = DateTimeOffset.UtcNow;
            foreach (var observer in observers)
            {
                observer.Observe(new LabelledPrediction(Model, version, variant, "r" + sent, probability, label, null, now, now));
            }
            sent++;
        }

        var policy = (await store.GetAsync(Model))!;
        Assert.Equal(RolloutStatus.Aborted, policy.Progress!.Status);
        Assert.Equal(0, policy.Canary!.Weight);
        Assert.StartsWith("step 2: experiment failed: experiment log_loss: canary", policy.Progress.Reason, StringComparison.Ordinal);
        Assert.Contains("significant harm", policy.Progress.Reason, StringComparison.Ordinal);
        // The loop archives the canary (the audit entry) just after it commits the abort.
        var registry = host.Services.GetRequiredService<IRegistryStore>();
        await Polling.UntilAsync(async () => (await registry.GetAuditAsync(Model)).Any(e =>
            e.Version == canary && e.After == "Archived" && e.Reason is { } r && r.Contains("experiment failed", StringComparison.Ordinal)
            && r.Contains("always-valid interval", StringComparison.Ordinal)), "the rollback's audit entry carries the experiment's numbers");
        Assert.Equal(ModelStage.Archived, (await host.Services.GetRequiredService<IRegistryStore>().GetAsync(Model))!.FindVersion(canary)!.Stage);

        var status = JsonNode.Parse(await host.Client.GetStringAsync($"/admin/rollouts/{Model}"))!["status"]!["last_analysis"]!;
        Assert.Equal("fail", (string)status["verdict"]!);
        var experiment = status["experiment"]!;
        Assert.Equal("log_loss", (string)experiment["metric"]!);
        Assert.True((long)experiment["stable_count"]! >= 100 && (long)experiment["canary_count"]! >= 100, experiment.ToJsonString());
        Assert.True((double)experiment["upper"]! < 0, experiment.ToJsonString());
        Assert.True((double)experiment["canary_mean"]! > (double)experiment["stable_mean"]!, experiment.ToJsonString());
    }

    [Fact]
    public async Task Put_ExperimentWithUnknownMetric_400WithTheKnownOnes()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models, []);

        using var response = await host.Client.PutAsync($"/admin/rollouts/{Model}", new StringContent("""
            {"model": "credit-risk", "mode": "canary", "canary": {"stable_version": 2, "canary_version": 1, "weight": 0},
             "plan": {"steps": [{"type": "experiment", "metric": "auc", "mixture_standard_deviation": 0.02, "interval_seconds": 60}]}}
            """, System.Text.Encoding.UTF8, "application/json"));

        var error = await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("plan.steps[0].metric 'auc' is unknown; use one of log_loss, brier, accuracy, error, value", error, StringComparison.Ordinal);
    }

    private static async Task<int> RegisterCanaryAsync(GatewayHost host)
    {
        using var registered = await host.Client.PostAsJsonAsync($"/admin/models/{Model}/versions", new { artifact = "credit-risk/2/model.onnx", actor = "test" });
        Assert.Equal(201, (int)registered.StatusCode);
        return (int)JsonNode.Parse(await registered.Content.ReadAsStringAsync())!["version"]!;
    }

    private static async Task<(string Variant, string Version, double Probability)> PredictAsync(GatewayHost host, int row)
    {
        using var response = await host.Client.PostJsonAsync(Infer.Path(Model), Infer.CreditRiskJson([row % 32]));
        Assert.Equal(200, (int)response.StatusCode);
        using var body = await Infer.ReadJsonAsync(response);
        var probability = Infer.FloatData(Infer.Output(body, "probability"))[0];
        return (response.Headers.GetValues("x-model-variant").Single(), response.Headers.GetValues("x-model-version").Single(), probability);
    }
}
