using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Rollouts;
using Serving.Gateway.Rollouts;
using Serving.Gateway.Tests.Common;

namespace Serving.Gateway.Tests.Rollouts;

/// <summary>Writes rollout policies into a test gateway's store and waits until it routes by them.</summary>
internal static class RolloutHost
{
    public const string Model = "credit-risk";

    public static async Task SetAsync(GatewayHost host, Func<RolloutPolicy, RolloutPolicy> change)
    {
        var store = host.Services.GetRequiredService<IRolloutStore>();
        var current = await store.GetAsync(Model);
        var next = change(current ?? new RolloutPolicy { Model = Model }) with { Revision = current?.Revision ?? 0 };
        var written = await store.CompareAndSwapAsync(next);
        Assert.True(written.IsSuccess, written.Error?.Message);
        await host.Services.GetRequiredService<RolloutSyncService>().RefreshAsync(default);
        // Versions a rollout names are loaded by the registry lifecycle; wait until they serve.
        foreach (var version in host.Services.GetRequiredService<RolloutSyncService>().ReferencedVersions(Model))
        {
            await Polling.UntilAsync(
                () => host.Models.Catalog.TryGetModel(Model, out var entry) && entry.Find(version)?.State == global::Serving.Gateway.Inference.VersionState.Ready,
                $"version {version} is loaded");
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
