using Serving.Gateway.Remote;

namespace Serving.Gateway.Tests.Remote;

public sealed class WorkerClusterTests
{
    private static WorkerDestination Destination(int port) => new($"http://127.0.0.1:{port}/");

    [Fact]
    public void Pick_ExcludingTheOnlyOtherDestination_ReturnsTheRemainingOne()
    {
        var a = Destination(61001);
        var b = Destination(61002);
        var cluster = new WorkerCluster("m", [a, b]);
        for (var i = 0; i < 50; i++)
        {
            Assert.Same(b, cluster.Pick(0, exclude: a));
        }
    }

    [Fact]
    public void Pick_TransportFailure_SkipsDestinationUntilReactivation()
    {
        var a = Destination(61003);
        var b = Destination(61004);
        var cluster = new WorkerCluster("m", [a, b]);
        a.ReportTransportFailure(untilTicks: 1000);
        for (var i = 0; i < 50; i++)
        {
            Assert.Same(b, cluster.Pick(999, exclude: null));
        }
        b.ReportTransportFailure(untilTicks: 1000);
        Assert.Null(cluster.Pick(999, exclude: null));
        Assert.NotNull(cluster.Pick(1000, exclude: null));
    }

    [Fact]
    public void ReportProbe_ConsecutiveFailuresReachThreshold_UnhealthyUntilOneSuccess()
    {
        var a = Destination(61005);
        Assert.True(a.IsAvailable(0));
        Assert.False(a.ProbedHealthy);
        Assert.False(a.ReportProbe(success: false, unhealthyAfter: 2));
        Assert.True(a.IsAvailable(0));
        Assert.True(a.ReportProbe(success: false, unhealthyAfter: 2));
        Assert.False(a.IsAvailable(0));
        Assert.True(a.ReportProbe(success: true, unhealthyAfter: 2));
        Assert.True(a.IsAvailable(0) && a.ProbedHealthy);
    }

    [Fact]
    public void Pick_UnequalLoad_PrefersFewerInFlight()
    {
        var busy = Destination(61006);
        var idle = Destination(61007);
        var cluster = new WorkerCluster("m", [busy, idle]);
        for (var i = 0; i < 10; i++)
        {
            busy.Enter();
        }
        var idlePicks = 0;
        for (var i = 0; i < 200; i++)
        {
            idlePicks += ReferenceEquals(cluster.Pick(0, exclude: null), idle) ? 1 : 0;
        }
        // Two random choices: the idle one wins unless both picks land on the busy one (about 1 in 4).
        Assert.InRange(idlePicks, 120, 200);
    }
}
