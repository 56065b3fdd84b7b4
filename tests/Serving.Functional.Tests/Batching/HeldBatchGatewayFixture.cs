using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Batching;

/// <summary>
/// A gateway over a temporary repository holding credit-risk v2's graph as <c>plain/1</c>, without a
/// model.json so that the command-line batching defaults apply (queue of <see cref="MaxQueueSize"/>,
/// no queue delay, 32 rows), and with every executor wrapped in a <see cref="GatedExecutor"/>. A request
/// that finds the queue full is refused at once (no admission wait) unless a subclass says otherwise.
/// </summary>
public class HeldBatchGatewayFixture : IAsyncLifetime
{
    public const int MaxQueueSize = 8;

    private readonly string _repository = Directory.CreateTempSubdirectory("serving-held-").FullName;

    internal GatewayHost Host { get; private set; } = null!;

    internal GatedExecutor Gate { get; private set; } = null!;

    /// <summary>The <c>Serving:Limits</c> flags of this gateway.</summary>
    protected virtual string[] LimitArgs => ["--Serving:Limits:AdmissionWait=00:00:00"];

    public async Task InitializeAsync()
    {
        var version = Directory.CreateDirectory(Path.Combine(_repository, "plain", "1")).FullName;
        File.Copy(Path.Combine(RepositoryPaths.Models, "credit-risk", "2", "model.onnx"), Path.Combine(version, "model.onnx"));
        Host = await GatewayHost.StartAsync(
            _repository,
            [$"--Serving:Batching:MaxQueueSize={MaxQueueSize}", "--Serving:Batching:MaxQueueDelayMicroseconds=0", "--Serving:Batching:MaxBatchSize=32", .. LimitArgs],
            beforeStart: models => models.ExecutorDecorator = (_, inner) => Gate = new GatedExecutor(inner));
    }

    /// <summary>
    /// Holds one request's batch at the gate and fills the queue of <c>plain/1</c> behind it: the held request and
    /// the <see cref="MaxQueueSize"/> queued ones, all answered once the test opens the gate.
    /// </summary>
    internal async Task<(Task<HttpResponseMessage> Held, Task<HttpResponseMessage>[] Queued)> HoldBatchAndFillQueueAsync()
    {
        var batcher = Host.Batcher("plain", 1);
        Gate.Arm();
        var held = Host.Client.PostJsonAsync(Infer.Path("plain", 1), Infer.CreditRiskJson([0]));
        await Gate.WaitUntilHeldAsync();
        var queued = Enumerable.Range(0, MaxQueueSize)
            .Select(i => Host.Client.PostJsonAsync(Infer.Path("plain", 1), Infer.CreditRiskJson([i]))).ToArray();
        await Polling.UntilAsync(() => batcher.Depth == MaxQueueSize, "the queue is full");
        return (held, queued);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Directory.Delete(_repository, recursive: true);
    }
}
