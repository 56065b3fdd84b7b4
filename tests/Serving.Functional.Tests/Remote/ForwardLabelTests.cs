using System.Globalization;
using System.Net.Sockets;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Registry;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Remote;

/// <summary>
/// The gateway role's forwarding metrics stay bounded however many model names clients invent: 1,000
/// distinct unknown names sent to a gateway whose wildcard worker cannot be reached add no series per name.
/// </summary>
public sealed class ForwardLabelTests
{
    [Fact]
    public async Task Infer_1000DistinctUnknownModels_ShareOneModelLabel()
    {
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        try
        {
            await SendInventedNamesAsync(redis);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }

    private static async Task SendInventedNamesAsync(RedisServerFixture redis)
    {
        var worker = $"http://127.0.0.1:{ClosedPort().ToString(CultureInfo.InvariantCulture)}";
        await using var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models,
        [
            "--Serving:Role=gateway", $"--Serving:Redis={redis.ConnectionString}", $"--Serving:Workers:0:Address={worker}",
            .. RemoteTopology.FastHealth,
        ]);
        var prefix = "invented-" + Guid.NewGuid().ToString("N")[..8] + "-";

        for (var i = 0; i < 1000; i++)
        {
            using var response = await gateway.Client.PostJsonAsync(Infer.Path(prefix + i.ToString(CultureInfo.InvariantCulture)), Infer.CreditRiskJson([0]));
            Assert.True((int)response.StatusCode >= 500, $"{response.StatusCode} for an invented model with no worker up");
        }

        var lines = (await gateway.Client.GetStringAsync("/metrics")).Split('\n');
        Assert.DoesNotContain(lines, l => l.StartsWith("serving_", StringComparison.Ordinal) && l.Contains(prefix, StringComparison.Ordinal));
        // This gateway's series name its worker; every one of them is labelled _unknown. The no_destination ones name
        // no worker, and other tests in this process count theirs under real model names: only the _unknown ones here.
        var forwards = lines.Where(static l => l.StartsWith("serving_forward_requests_total{", StringComparison.Ordinal)).ToArray();
        Assert.All(forwards.Where(l => l.Contains(worker, StringComparison.Ordinal)), static l => Assert.Contains("model=\"_unknown\"", l, StringComparison.Ordinal));
        var series = forwards
            .Where(static l => l.Contains("model=\"_unknown\"", StringComparison.Ordinal))
            .Where(l => l.Contains(worker, StringComparison.Ordinal) || l.Contains("outcome=\"no_destination\"", StringComparison.Ordinal))
            .ToArray();
        // At most one series per outcome (retried, failed, no_destination), however many names were sent;
        // every request ended in one of the terminal ones.
        Assert.InRange(series.Length, 1, 3);
        var ended = series.Where(static l => !l.Contains("outcome=\"retried\"", StringComparison.Ordinal))
            .Sum(static l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        Assert.True(ended >= 1000, $"{ended} requests counted: {string.Join(" | ", series)}");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
