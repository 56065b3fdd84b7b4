using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Core.Rollouts;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Inference;
using Serving.Gateway.Rollouts;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Rollouts;

/// <summary>Writes rollout policies into a test gateway's store and waits until it routes by them.</summary>
internal static class RolloutHost
{
    public const string Model = "credit-risk";

    public static async Task SetAsync(GatewayHost host, Func<RolloutPolicy, RolloutPolicy> change)
    {
        var store = host.Services.GetRequiredService<IRolloutStore>();
        var current = await store.GetAsync(Model);
        var next = change(current ?? new RolloutPolicy { Model = Model }) with { Revision = current?.Revision ?? 0 };
        await StageAsync(host, next);
        var written = await store.CompareAndSwapAsync(next);
        Assert.True(written.IsSuccess, written.Error?.Message);
        await host.Services.GetRequiredService<RolloutSyncService>().RefreshAsync(default);
        // The registry lifecycle loads Staging and Production versions; wait until those the rollout names serve.
        foreach (var version in next.NamedVersions())
        {
            await Polling.UntilAsync(
                () => host.Models.Catalog.TryGetModel(Model, out var entry) && entry.Find(version)?.State == VersionState.Ready,
                $"version {version} is loaded");
        }
    }

    /// <summary>Moves the versions <paramref name="policy"/> names to Staging unless they are in Staging or Production (a rollout may name only those).</summary>
    public static async Task StageAsync(GatewayHost host, RolloutPolicy policy)
    {
        var registry = host.Services.GetRequiredService<IRegistryStore>();
        foreach (var version in policy.NamedVersions())
        {
            var state = await registry.GetAsync(policy.Model);
            if (state?.FindVersion(version) is { Stage: ModelStage.None or ModelStage.Archived })
            {
                var moved = await registry.TransitionAsync(policy.Model, version, new TransitionRequest(ModelStage.Staging, "test", "a rollout test names it"));
                Assert.True(moved.IsSuccess, moved.Error?.Message);
            }
        }
    }

    public static async Task<(string Variant, string Version)> SendAsync(HttpClient client, int row, string? key = null, bool preview = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Infer.Path(Model))
        {
            Content = new StringContent(Infer.CreditRiskJson([row]), System.Text.Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Add("x-routing-key", key);
        }
        if (preview)
        {
            request.Headers.Add("x-preview", "true");
        }
        using var response = await client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return (response.Headers.GetValues("x-model-variant").Single(), response.Headers.GetValues("x-model-version").Single());
    }
}
