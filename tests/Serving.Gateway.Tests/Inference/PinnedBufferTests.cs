using Microsoft.ML.OnnxRuntime;
using Serving.Core.Protocol;
using Serving.Gateway.Batching;
using Serving.Gateway.Inference;
using Serving.Gateway.Metrics;
using Serving.Testing.Common;

namespace Serving.Gateway.Tests.Inference;

/// <summary>
/// The executor's pinned memory and its paths, against the real ONNX Runtime session of credit-risk v2 and
/// the numpy fixture: a client varying its row counts from 1 to 256 pins no more than one batch of the largest
/// bound size (docs/limits.md), the figure is on serving_pinned_buffer_bytes, batches past the bound size take
/// the unpinned path (one request, and several concatenated) with the same answers, and a warm bound batch
/// allocates nothing on the managed heap.
/// </summary>
public sealed class PinnedBufferTests : IDisposable
{
    private const string Model = "pinned-buffer-tests";
    private static readonly CreditRiskFixture CreditRisk = ExpectedOutputs.CreditRisk;

    private readonly InferenceSession _session;
    private readonly ModelSignature _signature;
    private readonly OrtBatchExecutor _executor;

    public PinnedBufferTests()
    {
        var created = CpuSessions.CreditRisk();
        _session = created.Session!;
        _signature = created.Signature!;
        _executor = new OrtBatchExecutor(_session, _signature, model: Model, version: 2);
    }

    public void Dispose()
    {
        _executor.Dispose();
        _session.Dispose();
    }

    [Fact]
    public void Execute_RowCountsOneTo256_PinnedBytesStayWithinOneBatchOfTheLargestBoundSize()
    {
        // 12 FP32 features in and one FP32 probability out: 52 bytes a row, 256 rows bound.
        const long bound = 256 * (12 + 1) * 4;
        Assert.Equal(bound, _executor.PinnedBytesBound);
        Assert.True(bound <= OrtBatchExecutor.MaxBoundBytesCpu);
        var gauge = ServingMetrics.PinnedBufferBytes.WithLabels(Model, "2");
        Assert.Equal(0, gauge.Value);

        for (var rows = 1; rows <= OrtBatchExecutor.MaxBoundRows; rows++)
        {
            var selection = Rows(rows, offset: rows);
            var item = Item(selection);
            Assert.Null(_executor.Execute([item], rows));
            AssertMatchesNumpy(item, selection);
            Assert.InRange(_executor.PinnedBytes, 1, bound);
            Assert.Equal(_executor.PinnedBytes, gauge.Value);
        }
        Assert.Equal(bound, _executor.PinnedBytes);
    }

    [Fact]
    public void Dispose_RemovesTheVersionsPinnedBytesSeries()
    {
        Assert.Null(_executor.Execute([Item(Rows(3, 0))], 3));
        Assert.Contains([Model, "2"], ServingMetrics.PinnedBufferBytes.GetAllLabelValues());

        _executor.Dispose();

        Assert.DoesNotContain([Model, "2"], ServingMetrics.PinnedBufferBytes.GetAllLabelValues());
    }

    [Fact]
    public void Execute_OneRequestPastTheBoundSize_RunsUnpinnedWithTheSameAnswers()
    {
        var selection = Rows(300, 7);
        var item = Item(selection);

        Assert.Null(_executor.Execute([item], 300));

        AssertMatchesNumpy(item, selection);
        Assert.Equal(0, _executor.PinnedBytes);
    }

    [Fact]
    public void Execute_SeveralRequestsPastTheBoundSize_ConcatenatedUnpinnedAndScatteredToTheirOwnRows()
    {
        var selections = new[] { Rows(100, 1), Rows(150, 2), Rows(57, 3) };
        var items = selections.Select(Item).ToArray();

        Assert.Null(_executor.Execute(items, 307));

        for (var i = 0; i < items.Length; i++)
        {
            AssertMatchesNumpy(items[i], selections[i]);
        }
        Assert.Equal(0, _executor.PinnedBytes);
    }

    [Fact]
    public void Execute_WarmBoundBatchOfSeveralRequests_AllocatesNothing()
    {
        var selections = new[] { Rows(2, 4), Rows(3, 5), Rows(4, 6) };
        var items = selections.Select(Item).ToArray();
        IReadOnlyList<InferenceWorkItem> batch = items;

        var fewest = Allocations.FewestBytes(() =>
        {
            foreach (var item in items)
            {
                item.Result.Release();
                item.Result.Bind(1);
            }
            return _executor.Execute(batch, 9) is null;
        });

        Assert.Equal(0, fewest);
        for (var i = 0; i < items.Length; i++)
        {
            AssertMatchesNumpy(items[i], selections[i]);
        }
    }

    private static int[] Rows(int count, int offset) =>
        Enumerable.Range(0, count).Select(k => (offset + 5 * k) % CreditRisk.Rows).ToArray();

    private InferenceWorkItem Item(int[] rows)
    {
        var item = new InferenceWorkItem();
        item.Request.Bind(_signature);
        item.Request.SetInput(0, TensorShape.From([rows.Length, 12]), CreditRisk.Float32Bytes(rows));
        item.Result.Bind(_signature.Outputs.Count);
        return item;
    }

    private static void AssertMatchesNumpy(InferenceWorkItem item, int[] rows)
    {
        var output = item.Result.Output(0);
        Assert.Equal([rows.Length, 1L], output.Shape.AsSpan().ToArray());
        CreditRisk.AssertProbabilities(2, rows, Infer.Floats(output.Bytes.ToArray()));
    }
}
