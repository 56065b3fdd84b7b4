using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Lifecycle;
using Serving.Gateway.Protocol;
using Serving.Testing.Common;
using Xunit.Abstractions;

namespace Serving.Functional.Tests.Protocol;

/// <summary>
/// The memory-hold attack of issue 12: connections that declare 32 MiB bodies, send 30 MiB and stop.
/// The request buffer budget admits what fits and refuses the rest before reading them, so the
/// process's resident memory stays under the budget plus a margin, and comes back once they leave.
/// It measures the whole process, so it runs alone.
/// </summary>
[Collection(RunsAloneCollection.Name)]
public sealed class RequestBufferBudgetTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const long Budget = 80 * MiB;
    private const long Declared = 32 * MiB;
    private const int Sent = 30 * 1024 * 1024;

    /// <summary>
    /// What the process may hold beyond the budget: Kestrel reads up to 1 MiB ahead on each connection
    /// before the gateway refuses it, its pinned blocks are 4 KiB each, and the GC keeps some headroom
    /// (docs/limits.md).
    /// </summary>
    private const long Margin = 96 * MiB;

    [Theory]
    [InlineData(40)]
    [InlineData(400)]
    public async Task Infer_ConnectionsHolding30MiBOf32MiB_ResidentMemoryUnderBudgetPlusMargin(int connections)
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models, [$"--Serving:Limits:RequestBufferBytes={Budget}"]);
        var budget = host.Services.GetRequiredService<RequestBufferBudget>();
        var payload = new byte[Sent];
        payload.AsSpan().Fill((byte)' ');
        await AssertServesAsync(host);
        var baseline = Resident();

        var holders = Enumerable.Range(0, connections).Select(_ => new Holder(host.Address, payload)).ToArray();
        var sent = await Task.WhenAll(holders.Select(static h => h.SendAsync()));
        var held = Resident();
        var admitted = sent.Count(static s => s);
        output.WriteLine($"baseline {baseline / MiB} MiB, holding {held / MiB} MiB (+{(held - baseline) / MiB} MiB); {admitted} of {connections} bodies admitted; budget {Budget / MiB} MiB, in use {budget.InUse / MiB} MiB");

        // Two bodies fit the budget; the other connections were answered 503 and closed before their bodies were received.
        Assert.Equal((int)(Budget / Declared), admitted);
        Assert.Equal(admitted * Declared, budget.InUse);
        Assert.True(held - baseline < Budget + Margin, $"resident memory grew by {(held - baseline) / MiB} MiB holding the bodies (budget {Budget / MiB} MiB + margin {Margin / MiB} MiB)");
        // The budget's spare room still serves ordinary requests; another large body is refused unread.
        await AssertServesAsync(host);
        var refused = await RawHttp.SendAsync(host.Address, RawHttp.Head("POST", Infer.Path("credit-risk", 2), $"Content-Length: {Declared}"));
        Assert.Equal(503, refused.Status);
        Assert.Equal("close", refused.Header("Connection"));
        Assert.NotNull(refused.Header("Retry-After"));
        Assert.Contains("memory budget", refused.Body, StringComparison.Ordinal);

        foreach (var holder in holders)
        {
            holder.Dispose();
        }
        await Polling.UntilAsync(() => budget.InUse == 0, "the held bodies are released");
        long after = 0;
        await Polling.UntilAsync(() => (after = Resident()) - baseline < Margin, "resident memory stays within the margin once the connections close");
        output.WriteLine($"after the connections closed: {after / MiB} MiB (+{(after - baseline) / MiB} MiB)");
        await AssertServesAsync(host);
    }

    [Fact]
    public async Task Infer_BodyTrickledAfterAFastStart_Refused408AndReleased()
    {
        // 4 MiB declared at a minimum of 1 MiB/s and 1 s of grace: the body must be complete within 5 s.
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models,
            ["--Serving:Limits:MinBodyBytesPerSecond=1048576", "--Serving:Limits:BodyGracePeriod=00:00:01"]);
        var budget = host.Services.GetRequiredService<RequestBufferBudget>();

        var response = await RawHttp.SendAsync(host.Address, RawHttp.Head("POST", Infer.Path("credit-risk", 2), $"Content-Length: {4 * MiB}"), new byte[(int)MiB]);

        Assert.Equal(408, response.Status);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Contains("did not arrive in time", response.Body, StringComparison.Ordinal);
        Assert.Equal(0, budget.InUse);
        await AssertServesAsync(host);
    }

    private static async Task AssertServesAsync(GatewayHost host)
    {
        int[] rows = [5, 6];
        using var response = await host.Client.PostJsonAsync(Infer.Path("credit-risk", 2), Infer.CreditRiskJson(rows));
        using var doc = await Infer.ReadJsonAsync(response);
        ExpectedOutputs.CreditRisk.AssertProbabilities(2, rows, Infer.FloatData(Infer.Output(doc, "probability")));
    }

    private static long Resident()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    /// <summary>One attacking connection: declares <see cref="Declared"/> bytes, sends the payload, and stays open.</summary>
    private sealed class Holder(Uri address, byte[] payload) : IDisposable
    {
        private readonly TcpClient _client = new();

        /// <summary>True when the whole payload was sent; false when the server refused and closed first.</summary>
        public async Task<bool> SendAsync()
        {
            try
            {
                await _client.ConnectAsync(address.Host, address.Port);
                var stream = _client.GetStream();
                var head = $"POST {Infer.Path("credit-risk", 2)} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {Declared.ToString(CultureInfo.InvariantCulture)}\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
                await stream.WriteAsync(payload);
                return true;
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                return false;
            }
        }

        public void Dispose() => _client.Dispose();
    }
}
