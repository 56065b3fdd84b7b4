using System.Text.Json;
using Microsoft.Extensions.Logging;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Inference;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Inference;

/// <summary>
/// The execution provider setting on the CPU build (the CPU package has no CUDA provider): <c>cuda</c> fails
/// each version's load with a reason that says what to do while the server stays up; <c>auto</c> serves on
/// CPU and says once, plainly, that this is a CPU build (no per-version CUDA warnings).
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
        // The operator's reason (in the log and the version's state) says what to do; clients get the short form.
        Assert.True(host.Models.Catalog.TryGetModel("credit-risk", out var entry));
        var reason = entry.Find(2)!.FailureReason;
        Assert.Contains("CPU build", reason, StringComparison.Ordinal);
        Assert.Contains("-p:OnnxRuntimeFlavor=Gpu", reason, StringComparison.Ordinal);
        using var infer = await host.Client.PostJsonAsync(Infer.Path("credit-risk", 2), Infer.CreditRiskJson([0]));
        Assert.Equal(503, (int)infer.StatusCode);
    }

    [Fact]
    public async Task Auto_OnTheCpuBuild_ServesOnCpu()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models, ["--Serving:OnnxRuntime:ExecutionProvider=auto"]);

        using var response = await host.Client.PostJsonAsync(Infer.Path("credit-risk", 2), Infer.CreditRiskJson([0]));
        Assert.Equal(200, (int)response.StatusCode);
        // This host's own version says where it runs; the per-version gauge is process-wide and other
        // test hosts load and unload the same model in parallel, so it is not asserted here.
        Assert.True(host.Models.Catalog.TryGetModel("credit-risk", out var entry));
        Assert.Equal("cpu", entry.Find(2)!.Provider);
    }

    [Fact]
    public void Auto_OnTheCpuBuild_SaysSoOnceAndWarnsAboutNothing()
    {
        var logger = new RecordingLogger<SessionFactory>();
        var factory = new SessionFactory(new OnnxRuntimeOptions { ExecutionProvider = "auto" }, logger);
        foreach (var version in new[] { 1, 2 })
        {
            var created = factory.Create("credit-risk", version, Path.Combine(RepositoryPaths.Models, "credit-risk", version.ToString(System.Globalization.CultureInfo.InvariantCulture), "model.onnx"));
            Assert.Null(created.Error);
            Assert.Equal("cpu", created.Provider);
            created.Session!.Dispose();
        }

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Contains("CPU build", entry.Message, StringComparison.Ordinal);
    }
}
