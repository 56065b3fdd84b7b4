using System.Buffers;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Serving.Core.Protocol;
using Serving.Gateway.Batching;
using Serving.Gateway.Inference;
using Serving.Gateway.Metrics;
using Serving.Testing.Common;

namespace Serving.Gateway.Tests.Batching;

/// <summary>
/// The batcher in front of the real ONNX Runtime executor for credit-risk v2: requests of mixed batch
/// sizes that queue behind a held batch are concatenated into one call and scattered back, and every
/// request's rows match the numpy fixture.
/// </summary>
public sealed class DynamicBatcherOrtTests : IDisposable
{
    private static readonly CreditRiskFixture CreditRisk = ExpectedOutputs.CreditRisk;

    private readonly InferenceSession _session;
    private readonly ModelSignature _signature;
    private readonly OrtBatchExecutor _ort;

    public DynamicBatcherOrtTests()
    {
        var created = CpuSessions.CreditRisk();
        _session = created.Session!;
        _signature = created.Signature!;
        _ort = new OrtBatchExecutor(_session, _signature);
    }

    public void Dispose()
    {
        _ort.Dispose();
        _session.Dispose();
    }

    [Theory]
    [InlineData(64, 2)]
    [InlineData(16, 4)]
    public async Task TryEnqueue_MixedBatchSizesQueuedBehindAHeldBatch_ConcatenatedAndScatteredToTheirOwnRows(int maxBatchRows, int expectedBatches)
    {
        var executor = new GatedExecutor(_ort);
        var batcher = new DynamicBatcher(executor, new BatchingSettings { MaxBatchRows = maxBatchRows, MaxQueueDelayTicks = 0, MaxQueueSize = 64, Batchable = true }, new VersionMetrics("batcher-ort-tests", "2"));
        executor.Arm();
        var held = Item([31]);
        var firstRun = Task.Run(() => batcher.TryEnqueue(held.Item));
        await executor.WaitUntilHeldAsync();

        // Ten requests of 1 to 8 rows (39 rows in all), each its own selection of fixture rows.
        var queued = Enumerable.Range(0, 10).Select(i =>
        {
            var size = 1 + i % 8;
            return Item(Enumerable.Range(0, size).Select(k => (3 * i + 5 * k) % CreditRisk.Rows).ToArray());
        }).ToArray();
        foreach (var (item, _) in queued)
        {
            Assert.True(batcher.TryEnqueue(item));
        }
        executor.Open();

        Assert.True(await firstRun);
        AssertMatchesNumpy(held);
        foreach (var request in queued)
        {
            Assert.Equal(WorkStatus.Completed, await request.Item.Completion);
            AssertMatchesNumpy(request);
        }
        var batches = executor.Batches.ToArray();
        Assert.Equal(expectedBatches, batches.Length);
        Assert.All(batches.Skip(1), b => Assert.InRange(b.Rows, 1, maxBatchRows));
        Assert.Equal(39, batches.Skip(1).Sum(static b => b.Rows));
        Assert.Equal(queued.Select(static q => q.Item), batches.Skip(1).SelectMany(static b => b.Items));
    }

    private (InferenceWorkItem Item, int[] Rows) Item(int[] rows)
    {
        var item = new InferenceWorkItem();
        item.Request.Bind(_signature);
        var json = Encoding.UTF8.GetBytes(Infer.CreditRiskJson(rows));
        Assert.Null(InferenceRequestParser.Parse(new ReadOnlySequence<byte>(json), -1, item.Request));
        item.Result.Bind(_signature.Outputs.Count);
        return (item, rows);
    }

    private static void AssertMatchesNumpy((InferenceWorkItem Item, int[] Rows) request)
    {
        var output = request.Item.Result.Output(0);
        Assert.Equal([request.Rows.Length, 1L], output.Shape.AsSpan().ToArray());
        CreditRisk.AssertProbabilities(2, request.Rows, Infer.Floats(output.Bytes.ToArray()));
    }
}
