using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Lifecycle;
using Serving.Functional.Tests.Registry;
using Serving.Gateway.Remote;
using Serving.Testing.Common;
using Xunit.Abstractions;

namespace Serving.Functional.Tests.Remote;

/// <summary>
/// Kubernetes without Kubernetes: worker processes on several loopback addresses behind one DNS name
/// served by a real dnsmasq whose records the test changes as a headless Service's change while pods come
/// and go; the gateway (role gateway) knows only the name (<c>Serving:Forwarding:WorkersDns</c>).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DnsDiscoveryTests(ITestOutputHelper output)
{
    private const string Name = "workers.serving.test";

    [Fact]
    public async Task WorkersDns_WorkerAddedThenOneTerminatedUnderLoad_NewWorkerTakesTrafficAndNoRequestFails()
    {
        await using var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        string[] shared = [$"--Serving:Redis={redis.ConnectionString}"];
        using var dns = new DnsmasqServer();
        var port = WorkerProcess.FreePort();
        await using var first = await WorkerProcess.StartAsync("127.0.0.2", port, shared);
        await using var second = await WorkerProcess.StartAsync("127.0.0.3", port, shared);
        dns.SetRecords(Name, first.Host, second.Host);
        Assert.Equal([first.Host, second.Host], await dns.QueryAsync(Name));

        await using var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models,
        [
            "--Serving:Role=gateway",
            $"--Serving:Forwarding:WorkersDns={Name}:{port}",
            $"--Serving:Forwarding:DnsServer={dns.Endpoint}",
            "--Serving:Forwarding:ResolveInterval=00:00:00.500",
            .. RemoteTopology.FastHealth,
            .. shared,
        ]);
        await RemoteTopology.UntilReadyAsync(gateway);
        var pool = gateway.Services.GetRequiredService<WorkerPool>();

        const int Clients = 4;
        await using var load = new CreditRiskLoad(gateway.Client, Clients);
        await UntilAnsweredAsync(load, 100);
        output.WriteLine(await gateway.Client.GetStringAsync("/v2/health/ready"));
        // Both records are destinations (a transport hiccup may keep one out for the reactivation period).
        await Polling.UntilAsync(() => RemoteTopology.Forwarded("credit-risk", first.Address) > 0 && RemoteTopology.Forwarded("credit-risk", second.Address) > 0,
            "both workers behind the name take traffic");

        // A third pod becomes ready: its record appears, and the gateway sends it traffic without a restart.
        await using var third = await WorkerProcess.StartAsync("127.0.0.4", port, shared);
        dns.SetRecords(Name, first.Host, second.Host, third.Host);
        await Polling.UntilAsync(() => RemoteTopology.Forwarded("credit-risk", third.Address) >= 20, "the added worker takes traffic");

        // A pod is told to stop: Kubernetes removes its record and sends SIGTERM at about the same time.
        var answeredByFirst = RemoteTopology.Forwarded("credit-risk", first.Address);
        dns.SetRecords(Name, second.Host, third.Host);
        await first.TerminateAsync();
        output.WriteLine($"the stopped worker exited with {first.ExitCode}; it answered {answeredByFirst} requests before its stop");
        await Polling.UntilAsync(() => pool.DestinationReadiness().TrueForAll(w => w.Address != first.Address), "the stopped worker's address leaves the gateway's destinations");
        await UntilAnsweredAsync(load, 200);
        output.WriteLine($"{load.Ok} answered, {load.Failures.Count} failed, {RemoteTopology.Forwarded("credit-risk", first.Address, "retried")} retried away from the stopped worker");
        foreach (var failure in load.Failures)
        {
            output.WriteLine("  " + failure);
        }
        Assert.Empty(load.Failures);
        Assert.Equal(0, first.ExitCode);
    }

    private static Task UntilAnsweredAsync(CreditRiskLoad load, int more)
    {
        var target = load.Ok + more;
        return Polling.UntilAsync(() => load.Ok >= target, $"{more} more answered requests");
    }
}
