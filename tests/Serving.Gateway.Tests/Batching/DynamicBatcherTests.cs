using System.Diagnostics;
using System.Runtime.InteropServices;
using Serving.Core.Protocol;
using Serving.Gateway.Batching;
using Serving.Gateway.Metrics;
using Serving.Testing.Common;

namespace Serving.Gateway.Tests.Batching;

/// <summary>
/// The batcher against a stand-in executor (y = 2x + 1 over the concatenated rows, scattered back by
/// each item's row count, as OrtBatchExecutor does). Batches are made to queue by holding the first
/// one at a gate, so nothing here depends on timing.
/// </summary>
public sealed class DynamicBatcherTests
{
    private static readonly ModelSignature Signature = new(
        [new TensorSpec("x", TensorDataType.Fp32, [-1, 2])],
        [new TensorSpec("y", TensorDataType.Fp32, [-1, 2])]);

    private static readonly VersionMetrics Metrics = new("batcher-tests", "1");

    [Fact]
    public async Task TryEnqueue_LoneRequestsWithAHugeQueueDelay_RunAtOnceAndNeverWait()
    {
        var executor = new AffineExecutor();
        var batcher = new DynamicBatcher(executor, Settings(maxQueueDelay: TimeSpan.FromSeconds(10)), Metrics);

        for (var i = 0; i < 5; i++)
        {
            var item = Item(rows: 1 + i, seed: 10 * i);

            Assert.True(batcher.TryEnqueue(item));

            // The idle version ran the request on the caller's thread before returning.
            Assert.True(item.Completion.IsCompleted);
            Assert.Equal(WorkStatus.Completed, await item.Completion);
            AssertAffine(item);
        }
        Assert.Equal(0, batcher.DelayedBatches);
        Assert.Equal(5, batcher.BatchesRun);
        Assert.Equal(0, batcher.Depth);
    }

    [Fact]
    public async Task TryEnqueue_RequestsQueuedBehindAHeldBatch_RunTogetherAndEachGetsItsOwnRows()
    {
        var executor = new GatedExecutor(new AffineExecutor());
        var batcher = new DynamicBatcher(executor, Settings(), Metrics);
        var first = await HoldFirstAsync(batcher, executor);

        var queued = Enumerable.Range(1, 8).Select(rows => Item(rows, seed: 100 * rows)).ToArray();
        foreach (var item in queued)
        {
            Assert.True(batcher.TryEnqueue(item));
        }
        Assert.Equal(8, batcher.Depth);
        executor.Open();

        Assert.True(await first);
        foreach (var item in queued)
        {
            Assert.Equal(WorkStatus.Completed, await item.Completion);
            AssertAffine(item);
        }
        var batches = executor.Batches.ToArray();
        Assert.Equal(2, batches.Length);
        Assert.Equal(queued, batches[1].Items);
        Assert.Equal(36, batches[1].Rows);
        Assert.Equal(2, batcher.BatchesRun);
        Assert.Equal(0, batcher.Depth);
    }

    [Fact]
    public async Task TryEnqueue_QueuedRowsOverMaxBatchRows_SplitInOrderIntoBatchesThatFit()
    {
        var executor = new GatedExecutor(new AffineExecutor());
        var batcher = new DynamicBatcher(executor, Settings(maxBatchRows: 8), Metrics);
        var first = await HoldFirstAsync(batcher, executor);

        int[] sizes = [5, 3, 4, 4, 20, 1, 8];
        var queued = sizes.Select((rows, i) => Item(rows, seed: i)).ToArray();
        foreach (var item in queued)
        {
            Assert.True(batcher.TryEnqueue(item));
        }
        executor.Open();

        Assert.True(await first);
        foreach (var item in queued)
        {
            Assert.Equal(WorkStatus.Completed, await item.Completion);
            AssertAffine(item);
        }
        // A request larger than the limit runs alone; the others fill batches up to the limit, in arrival order.
        Assert.Equal([[5, 3], [4, 4], [20], [1], [8]], executor.Batches.Skip(1).Select(static b => b.Items.Select(static i => i.Rows).ToArray()));
        Assert.Equal([8, 8, 20, 1, 8], executor.Batches.Skip(1).Select(static b => b.Rows));
    }

    [Fact]
    public async Task TryEnqueue_NotBatchable_EachQueuedRequestRunsAlone()
    {
        var executor = new GatedExecutor(new AffineExecutor());
        var batcher = new DynamicBatcher(executor, Settings(batchable: false), Metrics);
        var first = await HoldFirstAsync(batcher, executor);

        var queued = Enumerable.Range(0, 4).Select(static i => Item(1, seed: i)).ToArray();
        foreach (var item in queued)
        {
            Assert.True(batcher.TryEnqueue(item));
        }
        executor.Open();

        Assert.True(await first);
        foreach (var item in queued)
        {
            Assert.Equal(WorkStatus.Completed, await item.Completion);
            AssertAffine(item);
        }
        Assert.All(executor.Batches, static b => Assert.Single(b.Items));
        Assert.Equal(5, batcher.BatchesRun);
    }

    [Fact]
    public async Task TryEnqueue_QueueDelayAndRequestsQueueing_PartialBatchWaitsOnce()
    {
        var executor = new GatedExecutor(new AffineExecutor());
        var batcher = new DynamicBatcher(executor, Settings(maxQueueDelay: TimeSpan.FromMilliseconds(1)), Metrics);
        var first = await HoldFirstAsync(batcher, executor);
        Assert.Equal(0, batcher.DelayedBatches);

        var queued = new[] { Item(2, seed: 1), Item(3, seed: 2) };
        foreach (var item in queued)
        {
            Assert.True(batcher.TryEnqueue(item));
        }
        executor.Open();

        Assert.True(await first);
        foreach (var item in queued)
        {
            Assert.Equal(WorkStatus.Completed, await item.Completion);
        }
        // The lone first batch did not wait; the batch of two, formed under load, waited for more rows.
        Assert.Equal(1, batcher.DelayedBatches);
        Assert.Equal(queued, executor.Batches.ToArray()[1].Items);
    }

    [Fact]
    public async Task TryEnqueue_QueueFull_RefusesUntilItDrains()
    {
        var executor = new GatedExecutor(new AffineExecutor());
        var batcher = new DynamicBatcher(executor, Settings(maxQueueSize: 2), Metrics);
        var first = await HoldFirstAsync(batcher, executor);
        var a = Item(1, seed: 1);
        var b = Item(1, seed: 2);

        Assert.True(batcher.TryEnqueue(a));
        Assert.True(batcher.TryEnqueue(b));
        Assert.False(batcher.TryEnqueue(Item(1, seed: 3)));
        Assert.False(batcher.TryEnqueue(Item(1, seed: 4)));
        Assert.Equal(2, batcher.Depth);
        executor.Open();

        Assert.True(await first);
        Assert.Equal(WorkStatus.Completed, await a.Completion);
        Assert.Equal(WorkStatus.Completed, await b.Completion);
        Assert.Equal(0, batcher.Depth);
        var later = Item(2, seed: 5);
        Assert.True(batcher.TryEnqueue(later));
        Assert.Equal(WorkStatus.Completed, await later.Completion);
        AssertAffine(later);
    }

    [Fact]
    public async Task TryEnqueue_ClientGoneWhileQueued_DroppedBeforeItRuns()
    {
        var executor = new GatedExecutor(new AffineExecutor());
        var batcher = new DynamicBatcher(executor, Settings(), Metrics);
        var first = await HoldFirstAsync(batcher, executor);
        using var gone = new CancellationTokenSource();
        var before = Item(1, seed: 1);
        var leaving = Item(3, seed: 2, gone.Token);
        var after = Item(2, seed: 3);

        Assert.True(batcher.TryEnqueue(before));
        Assert.True(batcher.TryEnqueue(leaving));
        Assert.True(batcher.TryEnqueue(after));
        await gone.CancelAsync();
        executor.Open();

        Assert.True(await first);
        Assert.Equal(WorkStatus.Cancelled, await leaving.Completion);
        Assert.Equal(WorkStatus.Completed, await before.Completion);
        Assert.Equal(WorkStatus.Completed, await after.Completion);
        AssertAffine(before);
        AssertAffine(after);
        Assert.DoesNotContain(executor.Batches, b => b.Items.Contains(leaving));
        Assert.Equal([before, after], executor.Batches.ToArray()[1].Items);
        Assert.Equal(3, executor.Batches.ToArray()[1].Rows);
        Assert.True(leaving.Result.Output(0).Bytes.IsEmpty);
    }

    [Fact]
    public async Task TryEnqueue_OneBadRequestInABatch_OthersRerunAloneAndSucceed()
    {
        var executor = new GatedExecutor(new AffineExecutor(poison: 666));
        var batcher = new DynamicBatcher(executor, Settings(), Metrics);
        var first = await HoldFirstAsync(batcher, executor);
        var good1 = Item(2, seed: 1);
        var bad = Item(1, seed: 666);
        var good2 = Item(3, seed: 2);

        Assert.True(batcher.TryEnqueue(good1));
        Assert.True(batcher.TryEnqueue(bad));
        Assert.True(batcher.TryEnqueue(good2));
        executor.Open();

        Assert.True(await first);
        Assert.Equal(WorkStatus.Completed, await good1.Completion);
        Assert.Equal(WorkStatus.Failed, await bad.Completion);
        Assert.Equal(WorkStatus.Completed, await good2.Completion);
        Assert.Equal("poisoned input", bad.Error);
        Assert.Null(good1.Error);
        AssertAffine(good1);
        AssertAffine(good2);
        Assert.Equal([3, 1, 1, 1], executor.Batches.Skip(1).Select(static b => b.Items.Length));
    }

    [Fact]
    public async Task TryEnqueue_ExecutorThrows_ItemFailsWithTheMessageAndBatcherKeepsServing()
    {
        var batcher = new DynamicBatcher(new ThrowingExecutor(), Settings(), Metrics);
        var item = Item(1, seed: 1);

        Assert.True(batcher.TryEnqueue(item));

        Assert.Equal(WorkStatus.Failed, await item.Completion);
        Assert.Equal("Inference failed: boom", item.Error);
        var next = Item(1, seed: 2);
        Assert.True(batcher.TryEnqueue(next));
        Assert.Equal(WorkStatus.Failed, await next.Completion);
        Assert.Equal(0, batcher.Depth);
    }

    /// <summary>Starts a batch on another thread and returns once it is held at the gate.</summary>
    private static async Task<Task<bool>> HoldFirstAsync(DynamicBatcher batcher, GatedExecutor executor)
    {
        executor.Arm();
        var item = Item(1, seed: -1);
        var enqueued = Task.Run(() => batcher.TryEnqueue(item));
        await executor.WaitUntilHeldAsync();
        Assert.Equal(0, batcher.Depth);
        return enqueued;
    }

    private static BatchingSettings Settings(int maxBatchRows = 64, TimeSpan maxQueueDelay = default, int maxQueueSize = 256, bool batchable = true) => new()
    {
        MaxBatchRows = maxBatchRows,
        MaxQueueDelayTicks = (long)(maxQueueDelay.TotalSeconds * Stopwatch.Frequency),
        MaxQueueSize = maxQueueSize,
        Batchable = batchable,
    };

    private static InferenceWorkItem Item(int rows, float seed, CancellationToken aborted = default)
    {
        var item = new InferenceWorkItem();
        item.Request.Bind(Signature);
        var x = new float[rows * 2];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = seed + i;
        }
        item.Request.SetInput(0, TensorShape.From([rows, 2]), MemoryMarshal.AsBytes(x.AsSpan()));
        item.Result.Bind(1);
        item.Aborted = aborted;
        return item;
    }

    private static void AssertAffine(InferenceWorkItem item)
    {
        var x = MemoryMarshal.Cast<byte, float>(item.Request.Inputs[0].Bytes).ToArray();
        var output = item.Result.Output(0);
        Assert.Equal([item.Rows, 2L], output.Shape.AsSpan().ToArray());
        Assert.Equal(x.Select(static v => 2 * v + 1), MemoryMarshal.Cast<byte, float>(output.Bytes).ToArray());
    }

    /// <summary>y = 2x + 1 over the concatenated rows, scattered back by each item's row count; fails a batch holding the poison value.</summary>
    private sealed class AffineExecutor(float? poison = null) : IBatchExecutor
    {
        public string? Execute(IReadOnlyList<InferenceWorkItem> batch, int totalRows)
        {
            var all = new List<float>();
            foreach (var item in batch)
            {
                all.AddRange(MemoryMarshal.Cast<byte, float>(item.Request.Inputs[0].Bytes).ToArray());
            }
            Assert.Equal(totalRows * 2, all.Count);
            if (poison is { } p && all.Contains(p))
            {
                return "poisoned input";
            }
            var y = all.Select(static v => 2 * v + 1).ToArray();
            var offset = 0;
            foreach (var item in batch)
            {
                var bytes = MemoryMarshal.AsBytes(y.AsSpan(offset, item.Rows * 2));
                bytes.CopyTo(item.Result.Output(0).Allocate(TensorDataType.Fp32, TensorShape.From([item.Rows, 2]), bytes.Length));
                offset += item.Rows * 2;
            }
            return null;
        }
    }

    private sealed class ThrowingExecutor : IBatchExecutor
    {
        public string? Execute(IReadOnlyList<InferenceWorkItem> batch, int totalRows) => throw new InvalidOperationException("boom");
    }
}
