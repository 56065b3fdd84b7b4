using System.Text.Json;
using Serving.Gateway.Tests.Common;

namespace Serving.Gateway.Tests.Inference;

/// <summary>
/// The execution provider setting on a machine without CUDA (the CPU package): <c>cuda</c> fails each
/// version's load with a clear reason while the server stays up; <c>auto</c> falls back to CPU and counts it.
/// </summary>
public sealed class ExecutionProviderTests
{
    [Fact]
    public async Task Cuda_WithoutCuda_EachVersionFailsWithReasonAndServerStaysUp()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models, ["--Serving:OnnxRuntime:ExecutionProvider=cuda"]);

        using var live = await host.Client.GetAsync("/v2/health/live");
        Assert.Equal(200, (int)live.StatusCode);
        using var version = await host.Client.GetAsync("/v2/models/credit-risk/versions/2");
        Assert.Equal(503, (int)version.StatusCode);
        var error = JsonDocument.Parse(await version.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains("'cuda' was requested but CUDA is not available", error, StringComparison.Ordinal);
        using var infer = await host.Client.PostJsonAsync(Infer.Path("credit-risk", 2), Infer.CreditRiskJson([0]));
        Assert.Equal(503, (int)infer.StatusCode);
    }

    [Fact]
    public async Task Auto_WithoutCuda_ServesOnCpuAndCountsTheFallback()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models, ["--Serving:OnnxRuntime:ExecutionProvider=auto"]);

        using var response = await host.Client.PostJsonAsync(Infer.Path("credit-risk", 2), Infer.CreditRiskJson([0]));
        Assert.Equal(200, (int)response.StatusCode);
        // This host's own version says where it runs; the per-version gauge is process-wide and other
        // test hosts load and unload the same model in parallel, so it is not asserted here.
        Assert.True(host.Models.Catalog.TryGetModel("credit-risk", out var entry));
        Assert.Equal("cpu", entry.Find(2)!.Provider);
        // The fallback counter only ever grows, so other hosts cannot make this fail.
        var metrics = await host.Client.GetStringAsync("/metrics");
        var fallbacks = metrics.Split('\n').Single(l => l.StartsWith("serving_execution_provider_fallbacks_total ", StringComparison.Ordinal));
        Assert.True(double.Parse(fallbacks.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 1, fallbacks);
    }
}
