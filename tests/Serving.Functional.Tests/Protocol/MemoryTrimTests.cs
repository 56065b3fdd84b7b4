using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Lifecycle;
using Serving.Gateway.Hosting;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Protocol;

/// <summary>
/// After a burst of large bodies, Kestrel's connection buffers come from the bounded pool, the blocks
/// beyond its cap are let go, and one collection hands them back once the burst is over. It runs full
/// collections, so it runs alone.
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class MemoryTrimTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task Infer_BurstOfLargeBodiesEnds_PoolLetsBlocksGoAndOneTrimRuns()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models,
            ["--Serving:Limits:PooledBufferBytes=1048576", "--Serving:Limits:TrimCheckInterval=00:00:00.200"]);
        var pools = host.Services.GetRequiredService<BoundedBlockPoolFactory>();
        var trims = host.Services.GetRequiredService<MemoryTrimService>();
        Assert.True(pools.PoolCount > 0, "Kestrel takes its connection buffers from the gateway's pool factory");
        var before = pools.ReleasedBytes();

        // Four connections send 6 MiB of a declared 8 MiB body each and close: the gateway held 24 MiB of
        // blocks, and gets them back as the reads end.
        var head = Encoding.ASCII.GetBytes($"POST {Infer.Path("credit-risk", 2)} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {(8 * MiB).ToString(CultureInfo.InvariantCulture)}\r\n\r\n");
        var payload = new byte[6 * MiB];
        payload.AsSpan().Fill((byte)' ');
        var clients = Enumerable.Range(0, 4).Select(_ => new TcpClient()).ToArray();
        foreach (var client in clients)
        {
            await client.ConnectAsync(host.Address.Host, host.Address.Port);
            await client.GetStream().WriteAsync(head);
            await client.GetStream().WriteAsync(payload);
        }
        var budget = host.Services.GetRequiredService<Serving.Gateway.Protocol.RequestBufferBudget>();
        await Polling.UntilAsync(() => budget.InUse == 4L * 8 * MiB, "the four bodies are being read");
        var trimsBefore = trims.Trims;
        foreach (var client in clients)
        {
            client.Dispose();
        }

        await Polling.UntilAsync(() => budget.InUse == 0, "the bodies are released");
        await Polling.UntilAsync(() => pools.ReleasedBytes() - before >= MiB, "the pool lets the blocks beyond its 1 MiB cap go");
        await Polling.UntilAsync(() => trims.Trims > trimsBefore, "one collection returns them once the burst is over");
        using var response = await host.Client.PostJsonAsync(Infer.Path("credit-risk", 2), Infer.CreditRiskJson([3]));
        using var doc = await Infer.ReadJsonAsync(response);
        ExpectedOutputs.CreditRisk.AssertProbabilities(2, [3], Infer.FloatData(Infer.Output(doc, "probability")));
    }
}
