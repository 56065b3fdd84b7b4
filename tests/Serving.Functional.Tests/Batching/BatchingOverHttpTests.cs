using System.Net;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Batching;

/// <summary>
/// Batching and overload through real HTTP: the first request's batch is held at a gate inside the
/// gateway, later requests queue behind it, and what happens next is decided by construction.
/// </summary>
public sealed class BatchingOverHttpTests(HeldBatchGatewayFixture fixture) : IClassFixture<HeldBatchGatewayFixture>
{
    private static readonly CreditRiskFixture CreditRisk = ExpectedOutputs.CreditRisk;

    [Fact]
    public async Task Infer_RequestsQueuedBehindAHeldBatch_OneBatchEachRowsOwnAndOverflowGets503()
    {
        var host = fixture.Host;
        var gate = fixture.Gate;
        var batcher = host.Batcher("plain", 1);
        var batchesBefore = batcher.BatchesRun;
        var seenBefore = gate.Batches.Count;

        gate.Arm();
        var held = SendAsync(host, [31]);
        await gate.WaitUntilHeldAsync();

        // Eight requests of 1 to 8 rows wait behind it, filling the queue (29 rows: one batch of at most 32).
        int[] sizes = [1, 2, 3, 4, 5, 6, 7, 1];
        var queued = sizes.Select((size, i) => SendAsync(host, Enumerable.Range(0, size).Select(k => (4 * i + 3 * k) % CreditRisk.Rows).ToArray())).ToArray();
        await Polling.UntilAsync(() => batcher.Depth == HeldBatchGatewayFixture.MaxQueueSize, "eight requests are queued");

        using (var overflow = await host.Client.PostJsonAsync(Infer.Path("plain", 1), Infer.CreditRiskJson([0])))
        {
            var error = await Infer.ReadErrorAsync(overflow, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("overloaded", error, StringComparison.Ordinal);
            Assert.True(overflow.Headers.RetryAfter is not null, "A 503 for overload must carry Retry-After.");
        }
        gate.Open();

        await held;
        await Task.WhenAll(queued);
        Assert.Equal(2, batcher.BatchesRun - batchesBefore);
        var batches = gate.Batches.Skip(seenBefore).ToArray();
        Assert.Equal(2, batches.Length);
        Assert.Single(batches[0].Items);
        Assert.Equal(8, batches[1].Items.Length);
        Assert.Equal(29, batches[1].Rows);
        Assert.Equal(0, batcher.Depth);
    }

    [Fact]
    public async Task Infer_AfterOverload_LoneRequestsServedOneBatchEach()
    {
        var host = fixture.Host;
        var batcher = host.Batcher("plain", 1);
        var before = batcher.BatchesRun;

        for (var row = 0; row < 5; row++)
        {
            await SendAsync(host, [row, 31 - row]);
        }

        Assert.Equal(5, batcher.BatchesRun - before);
        Assert.Equal(0, batcher.DelayedBatches);
    }

    /// <summary>Sends the rows to plain/1 (credit-risk v2's graph) and checks the answer against numpy's v2 probabilities.</summary>
    private static async Task SendAsync(GatewayHost host, int[] rows)
    {
        using var response = await host.Client.PostJsonAsync(Infer.Path("plain", 1), Infer.CreditRiskJson(rows));
        using var doc = await Infer.ReadJsonAsync(response);
        var output = Infer.Output(doc, "probability");
        Assert.Equal([rows.Length, 1L], Infer.Shape(output));
        CreditRisk.AssertProbabilities(2, rows, Infer.FloatData(output));
    }
}
