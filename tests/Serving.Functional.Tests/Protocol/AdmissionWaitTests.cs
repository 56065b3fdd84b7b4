using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Serving.Functional.Tests.Batching;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Protocol;

/// <summary>
/// Requests that find their version's queue full are held, unread, until there is room (up to
/// <c>Serving:Limits:MaxWaitingRequests</c> of them), and then answered; one more is refused at once.
/// </summary>
public sealed class AdmissionWaitTests(WaitingBatchGatewayFixture fixture) : IClassFixture<WaitingBatchGatewayFixture>
{
    private static readonly CreditRiskFixture CreditRisk = ExpectedOutputs.CreditRisk;

    [Fact]
    public async Task Infer_QueueFull_RequestsWaitUnreadThenAreAnsweredAndOneMoreIsRefused()
    {
        var host = fixture.Host;
        var batcher = host.Batcher("plain", 1);
        var (held, queued) = await fixture.HoldBatchAndFillQueueAsync();

        // Two requests send their head and none of their body: they can only be counted as waiting
        // if the gateway waits before it reads.
        int[][] rows = [[5, 6], [7]];
        var bodies = rows.Select(r => Encoding.UTF8.GetBytes(Infer.CreditRiskJson(r))).ToArray();
        var waiters = new TcpClient[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            waiters[i] = new TcpClient();
            await waiters[i].ConnectAsync(host.Address.Host, host.Address.Port);
            await waiters[i].GetStream().WriteAsync(Encoding.Latin1.GetBytes(
                RawHttp.Head("POST", Infer.Path("plain", 1), "Content-Type: application/json", $"Content-Length: {bodies[i].Length}")));
        }
        await Polling.UntilAsync(() => batcher.Waiting == WaitingBatchGatewayFixture.MaxWaiting, "two requests wait for room");
        Assert.Equal(WaitingBatchGatewayFixture.MaxWaiting, await Scrape.ValueAsync(host.Client, "serving_requests_waiting{model=\"plain\",version=\"1\"}"));

        // A third finds the waiting list full: refused at once, before its body, with Retry-After.
        var refused = await RawHttp.SendAsync(host.Address, RawHttp.Head("POST", Infer.Path("plain", 1), "Content-Type: application/json", "Content-Length: 65536"));
        Assert.Equal(503, refused.Status);
        Assert.NotNull(refused.Header("Retry-After"));
        Assert.Contains("overloaded", refused.Body, StringComparison.Ordinal);
        Assert.Equal(WaitingBatchGatewayFixture.MaxWaiting, batcher.Waiting);

        for (var i = 0; i < rows.Length; i++)
        {
            await waiters[i].GetStream().WriteAsync(bodies[i]);
        }
        fixture.Gate.Open();
        (await held).Dispose();
        foreach (var response in await Task.WhenAll(queued))
        {
            response.Dispose();
        }
        for (var i = 0; i < rows.Length; i++)
        {
            using var client = waiters[i];
            var answer = await RawHttp.ReadResponseAsync(client.GetStream());
            Assert.Equal(200, answer.Status);
            using var doc = JsonDocument.Parse(answer.Body);
            CreditRisk.AssertProbabilities(2, rows[i], Infer.FloatData(Infer.Output(doc, "probability")));
        }
        Assert.Equal(0, batcher.Waiting);
        Assert.Equal(0, await Scrape.ValueAsync(host.Client, "serving_requests_waiting{model=\"plain\",version=\"1\"}"));
    }
}
