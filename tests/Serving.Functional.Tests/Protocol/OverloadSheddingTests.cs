using System.Text;
using Serving.Functional.Tests.Batching;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Protocol;

/// <summary>
/// A request refused because its version's queue is full is refused before its body is read; a large
/// unread body closes the connection rather than being received only to be discarded.
/// </summary>
public sealed class OverloadSheddingTests(HeldBatchGatewayFixture fixture) : IClassFixture<HeldBatchGatewayFixture>
{
    [Fact]
    public async Task Infer_QueueFull_LargeBodyRefusedUnreadAndConnectionClosedSmallBodyKeepsIt()
    {
        var host = fixture.Host;
        var (held, queued) = await fixture.HoldBatchAndFillQueueAsync();

        // 64 KiB declared and none of it sent: the answer comes without waiting for the body.
        var large = await RawHttp.SendAsync(host.Address, RawHttp.Head("POST", Infer.Path("plain", 1), "Content-Type: application/json", "Content-Length: 65536"));
        var small = Encoding.UTF8.GetBytes(Infer.CreditRiskJson([1]));
        var smallResponse = await RawHttp.SendAsync(host.Address, RawHttp.Head("POST", Infer.Path("plain", 1), "Content-Type: application/json", $"Content-Length: {small.Length}"), small);
        fixture.Gate.Open();
        (await held).Dispose();
        foreach (var response in await Task.WhenAll(queued))
        {
            response.Dispose();
        }

        Assert.Equal(503, large.Status);
        Assert.Equal("close", large.Header("Connection"));
        Assert.NotNull(large.Header("Retry-After"));
        Assert.Contains("overloaded", large.Body, StringComparison.Ordinal);
        Assert.Equal(503, smallResponse.Status);
        Assert.Null(smallResponse.Header("Connection"));
    }
}
