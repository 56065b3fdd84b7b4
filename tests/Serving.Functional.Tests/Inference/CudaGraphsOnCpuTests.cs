using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Protocol;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Batching;
using Serving.Gateway.Inference;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Inference;

/// <summary>
/// <c>Serving:OnnxRuntime:Cuda:Graphs</c> on a machine without CUDA: a version that would run on CPU is refused
/// with a reason naming the setting, the server stays up, and with the setting off (the default) a CPU version
/// has no graphs and no graph id in its runs (PinnedBufferTests hold its answers and allocations to what they were).
/// </summary>
public sealed class CudaGraphsOnCpuTests
{
    private static string CreditRisk(int version) => Path.Combine(RepositoryPaths.Models, "credit-risk", version.ToString(System.Globalization.CultureInfo.InvariantCulture), "model.onnx");

    [Theory]
    [InlineData("cpu")]
    [InlineData("auto")]
    public void Create_GraphsOnACpuVersion_RefusedNamingTheSetting(string provider)
    {
        var factory = new SessionFactory(new OnnxRuntimeOptions { ExecutionProvider = provider, Cuda = new CudaOptions { Graphs = true } }, NullLogger<SessionFactory>.Instance);

        var created = factory.Create("credit-risk", 2, CreditRisk(2));

        Assert.Null(created.Session);
        Assert.Equal("none", created.Provider);
        Assert.Contains("Serving:OnnxRuntime:Cuda:Graphs is on, but credit-risk version 2 would run on the cpu provider", created.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_GraphsOnWithoutCuda_EachVersionFailsWithTheReasonAndServerStaysUp()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models, ["--Serving:OnnxRuntime:Cuda:Graphs=true"]);

        using var live = await host.Client.GetAsync("/v2/health/live");
        Assert.Equal(200, (int)live.StatusCode);
        using var version = await host.Client.GetAsync("/v2/models/credit-risk/versions/2");
        Assert.Equal(503, (int)version.StatusCode);
        var error = JsonDocument.Parse(await version.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains("Serving:OnnxRuntime:Cuda:Graphs", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Executor_GraphsOff_OnCpu_HasNoGraphs()
    {
        var factory = new SessionFactory(new OnnxRuntimeOptions { ExecutionProvider = "cpu" }, NullLogger<SessionFactory>.Instance);
        var created = factory.Create("credit-risk", 2, CreditRisk(2));
        using var session = created.Session!;
        // Even a graph size asked for without a CUDA device captures nothing: graphs exist only on CUDA.
        using var executor = new OrtBatchExecutor(session, created.Signature!, cudaDevice: null, graphRows: 64);

        Assert.Empty(executor.GraphSizes);
        Assert.Null(executor.GraphsUnavailable);
    }

    [Fact]
    public void Executor_GraphsAskedOfASessionWithoutCuda_SaysWhyAndStillAnswers()
    {
        var factory = new SessionFactory(new OnnxRuntimeOptions { ExecutionProvider = "cpu" }, NullLogger<SessionFactory>.Instance);
        var created = factory.Create("credit-risk", 2, CreditRisk(2));
        using var session = created.Session!;

        // As if the session were on CUDA: it has no CUDA allocator (nor, on most machines here, a CUDA runtime to
        // load), so the capture fails, says why (the load then fails with it) and leaves the executor as it was.
        using var executor = new OrtBatchExecutor(session, created.Signature!, cudaDevice: 0, graphRows: 8);

        Assert.Empty(executor.GraphSizes);
        Assert.False(string.IsNullOrWhiteSpace(executor.GraphsUnavailable));
        var rows = new[] { 0, 5, 9 };
        var item = new InferenceWorkItem();
        item.Request.Bind(created.Signature!);
        item.Request.SetInput(0, TensorShape.From([rows.Length, 12]), ExpectedOutputs.CreditRisk.Float32Bytes(rows));
        item.Result.Bind(1);
        Assert.Null(executor.Execute([item], rows.Length));
        ExpectedOutputs.CreditRisk.AssertProbabilities(2, rows, Infer.Floats(item.Result.Output(0).Bytes.ToArray()));
    }
}
