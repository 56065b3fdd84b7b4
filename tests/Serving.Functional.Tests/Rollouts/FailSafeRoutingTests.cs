using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Core.Rollouts;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Rollouts;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Rollouts;

/// <summary>
/// No rollout change takes default traffic down: a policy naming a version that cannot take traffic is
/// refused, a named version that leaves is routed around (and readiness says so), shadow works with mode
/// none, and an alert aborts a canary whose weight was set by hand.
/// </summary>
public sealed class FailSafeRoutingTests
{
    private const string Model = RolloutHost.Model;

    [Fact]
    public async Task Put_PolicyNamingMissingOrUnapprovedVersion_RefusedNamingItAndTrafficUnchanged()
    {
        // The seed puts credit-risk 2 in Production and 1 in Staging; 1 is archived here.
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models);
        var retired = await host.Services.GetRequiredService<IRegistryStore>().TransitionAsync(Model, 1, new TransitionRequest(ModelStage.Archived, "test", "retired"));
        Assert.True(retired.IsSuccess, retired.Error?.Message);

        var missing = await PutAsync(host, """{"model":"credit-risk","mode":"canary","canary":{"stable_version":99,"canary_version":2,"weight":10}}""");
        var archived = await PutAsync(host, """{"model":"credit-risk","mode":"blue_green","blue_green":{"active_version":1}}""");
        var noCanary = await PutAsync(host, """{"model":"credit-risk","mode":"canary","canary":{"stable_version":2,"weight":0}}""");
        var shadowOfNone = await PutAsync(host, """{"model":"credit-risk","shadow":{"version":1,"percentage":100}}""");

        Assert.Equal(409, missing.Status);
        Assert.Contains("version 99 of model 'credit-risk' does not exist", missing.Error, StringComparison.Ordinal);
        Assert.Equal(409, archived.Status);
        Assert.Contains("version 1 of model 'credit-risk' is in stage Archived", archived.Error, StringComparison.Ordinal);
        Assert.Equal(400, noCanary.Status);
        Assert.Contains("canary_version", noCanary.Error, StringComparison.Ordinal);
        Assert.Equal(409, shadowOfNone.Status);
        Assert.Null(await host.Services.GetRequiredService<IRolloutStore>().GetAsync(Model));
        for (var row = 0; row < 20; row++)
        {
            Assert.Equal(("default", "2"), await RolloutHost.SendAsync(host.Client, row));
        }
    }

    [Fact]
    public async Task SetWeight_CanaryArchivedSinceThePolicyWasWritten_Refused409NamingIt()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models);
        await RolloutHost.SetAsync(host, p => p with
        {
            Mode = RolloutMode.Canary,
            Canary = new CanarySettings { StableVersion = 2, CanaryVersion = 1, Weight = 0 },
        });
        var registry = host.Services.GetRequiredService<IRegistryStore>();
        var archived = await registry.TransitionAsync(Model, 1, new TransitionRequest(ModelStage.Archived, "test", "retired"));
        Assert.True(archived.IsSuccess, archived.Error?.Message);

        using var response = await host.Client.PostAsJsonAsync($"/admin/rollouts/{Model}/weight", new { weight = 20, actor = "test", reason = "ramp" });
        using var aborted = await host.Client.PostAsJsonAsync($"/admin/rollouts/{Model}/abort", new { actor = "test", reason = "canary retired" });

        Assert.Equal(409, (int)response.StatusCode);
        Assert.Contains("version 1 of model 'credit-risk' is in stage Archived", await ErrorOf(response), StringComparison.Ordinal);
        // Taking traffic away never needs the registry's approval.
        Assert.Equal(200, (int)aborted.StatusCode);
        Assert.Equal(0, (await host.Services.GetRequiredService<IRolloutStore>().GetAsync(Model))!.Canary!.Weight);
    }

    [Fact]
    public async Task Route_ActiveVersionLeavesStaging_DefaultVersionAnswersCountedAndReadinessDegraded()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models);
        await RolloutHost.SetAsync(host, p => p with
        {
            Mode = RolloutMode.BlueGreen,
            BlueGreen = new BlueGreenSettings { ActiveVersion = 1, PreviewVersion = null },
        });
        Assert.Equal(("active", "1"), await RolloutHost.SendAsync(host.Client, 0));

        // Version 1 leaves Staging behind the policy's back: it is unloaded, the policy still names it.
        var registry = host.Services.GetRequiredService<IRegistryStore>();
        var archived = await registry.TransitionAsync(Model, 1, new TransitionRequest(ModelStage.Archived, "test", "retired"));
        Assert.True(archived.IsSuccess, archived.Error?.Message);
        await Polling.UntilAsync(() => !host.Models.Catalog.TryGetModel(Model, out var entry) || entry.Find(1) is null, "version 1 is unloaded");
        var before = await FallbacksAsync(host, "not_loaded");

        var fixture = ExpectedOutputs.CreditRisk;
        for (var row = 0; row < fixture.Rows; row++)
        {
            using var response = await host.Client.PostJsonAsync(Infer.Path(Model), Infer.CreditRiskJson([row]));
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("2", response.Headers.GetValues("x-model-version").Single());
            using var json = await Infer.ReadJsonAsync(response);
            fixture.AssertProbabilities(2, [row], Infer.FloatData(Infer.Output(json, "probability")));
        }

        Assert.True(await FallbacksAsync(host, "not_loaded") - before >= fixture.Rows, "every request that fell back is counted");
        using var ready = await host.Client.GetAsync("/v2/health/ready");
        Assert.Equal(200, (int)ready.StatusCode);
        var degraded = ModelReadiness(await ready.Content.ReadAsStringAsync())["degraded"]!.GetValue<string>();
        Assert.Contains("the rollout names version 1, which is not loaded", degraded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shadow_ModeNone_CopiesReachTheShadowAndProductionAnswers()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models);
        await RolloutHost.SetAsync(host, p => p with { Mode = RolloutMode.None, Shadow = new ShadowSettings { Version = 1, Percentage = 100 } });

        for (var row = 0; row < 32; row++)
        {
            Assert.Equal(("default", "2"), await RolloutHost.SendAsync(host.Client, row));
        }

        Assert.True(host.Services.GetRequiredService<RolloutSyncService>().Table.TryGet(Model, out var runtime));
        // Every copy is accounted for: compared, or (on a machine too busy for the shadow's deadline or queue) timed
        // out or dropped, which the shadow is allowed to do rather than hold production back; some are compared.
        await Polling.UntilAsync(() => runtime.Shadow.Snapshot() is var s && s.Requests + s.Timeouts + s.Drops >= 32, "32 shadow copies are accounted for");
        var snapshot = runtime.Shadow.Snapshot();
        Assert.True(snapshot.Requests > 0, $"{snapshot.Requests} of 32 copies compared ({snapshot.Timeouts} timed out, {snapshot.Drops} dropped)");
        Assert.Equal(0, snapshot.Errors);
    }

    [Fact]
    public async Task AlertmanagerWebhook_CanaryWithHandSetWeight_AbortsIt()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models);
        await RolloutHost.SetAsync(host, p => p with
        {
            Mode = RolloutMode.Canary,
            Canary = new CanarySettings { StableVersion = 2, CanaryVersion = 1, Weight = 30 },
        });

        using var response = await host.Client.PostAsJsonAsync("/admin/alerts", new JsonObject
        {
            ["version"] = "4",
            ["status"] = "firing",
            ["alerts"] = new JsonArray(new JsonObject
            {
                ["status"] = "firing",
                ["labels"] = new JsonObject { ["alertname"] = "ModelDriftCritical", ["model"] = Model, ["version"] = "1" },
                ["annotations"] = new JsonObject { ["summary"] = "income drifted" },
                ["startsAt"] = "2026-11-22T20:00:00Z",
            }),
        });

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(Model, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["aborted"]![0]!.GetValue<string>());
        var policy = await host.Services.GetRequiredService<IRolloutStore>().GetAsync(Model);
        Assert.Equal((RolloutStatus.Aborted, 0.0, "alertmanager"), (policy!.Progress!.Status, policy.Canary!.Weight, policy.UpdatedBy));
        Assert.Contains("ModelDriftCritical", policy.Progress.Reason, StringComparison.Ordinal);
        // Like every abort: the canary is rolled back in the registry with the reason.
        var audit = await host.Services.GetRequiredService<IRegistryStore>().GetAuditAsync(Model);
        Assert.Contains(audit, e => e.Version == 1 && e.Reason is { } r && r.Contains("ModelDriftCritical", StringComparison.Ordinal));
        // The rollout change itself is audited with the system actor and the alert as its reason.
        var abort = audit.Last(static e => e.Action == AuditAction.RolloutSet);
        Assert.Equal("alertmanager", abort.Actor);
        Assert.Equal("alert ModelDriftCritical fired for canary version 1: income drifted", abort.Reason);
        Assert.StartsWith("canary: stable v2, canary v1, weight 0%", abort.After, StringComparison.Ordinal);
    }

    private static async Task<(int Status, string Error)> PutAsync(GatewayHost host, string policy)
    {
        using var content = new StringContent(policy, Encoding.UTF8, "application/json");
        using var response = await host.Client.PutAsync($"/admin/rollouts/{Model}?actor=test&reason=fail-safe", content);
        return ((int)response.StatusCode, await ErrorOf(response));
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(body)?["error"]?.GetValue<string>() ?? body;
    }

    private static JsonNode ModelReadiness(string readiness) =>
        JsonNode.Parse(readiness)!["models"]!.AsArray().Single(m => m!["name"]!.GetValue<string>() == Model)!;

    /// <summary>serving_routing_fallbacks_total of credit-risk (process-wide: it only grows, so other tests cannot lower it).</summary>
    internal static async Task<double> FallbacksAsync(GatewayHost host, string reason) =>
        await Scrape.ValueAsync(host.Client, $"serving_routing_fallbacks_total{{model=\"{Model}\",reason=\"{reason}\"}}") ?? 0;
}
