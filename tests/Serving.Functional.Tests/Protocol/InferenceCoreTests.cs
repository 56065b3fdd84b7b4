using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Protocol;

namespace Serving.Functional.Tests.Protocol;

public sealed class InferenceCoreTests(ModelsGatewayFixture fixture) : IClassFixture<ModelsGatewayFixture>
{
    private static readonly string[] Versions = ["", "1", "2"];

    [Fact]
    public void Route_LocalVersionByDefaultAndByNumber_AllocatesNothing()
    {
        var core = fixture.Host.Services.GetRequiredService<InferenceCore>();
        var headers = new HttpRoutingHeaders(new HeaderDictionary { ["x-routing-key"] = "user-42" });
        var sink = 0;
        for (var i = 0; i < 1000; i++)
        {
            sink += RouteAndRelease(core, headers);
        }

        // The best of a few rounds: a round that overlaps tiered-JIT recompilation or a runtime-internal
        // allocation on this thread is not the core's doing.
        var fewest = long.MaxValue;
        for (var round = 0; round < 5 && fewest > 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 10_000; i++)
            {
                sink += RouteAndRelease(core, headers);
            }
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.True(sink >= 3 * 11_000, $"{sink} routes answered");
    }

    /// <summary>Routes three requests (default version, version 1, version 2) and releases them; returns the versions that answered.</summary>
    private static int RouteAndRelease(InferenceCore core, in HttpRoutingHeaders headers)
    {
        var answered = 0;
        foreach (var version in Versions)
        {
            var route = core.Route("credit-risk", version, headers);
            Assert.False(route.Failure.Failed, route.Failure.Message);
            answered += route.Version!.Version > 0 ? 1 : 0;
            route.Version.Release();
        }
        return answered;
    }
}
