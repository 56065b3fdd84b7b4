using System.Text.Json.Nodes;
using Serving.Cli;
using Serving.Core.Rollouts;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Rollouts;

/// <summary>
/// The live numbers of a rollout under manual weights (no analysis steps), from a real gateway through
/// servingctl: the window's start time is printed and each variant's p99 is a number once it served requests.
/// </summary>
public sealed class LiveStatusTests
{
    [Fact]
    public async Task RolloutStatus_ManualWeightAfterDozensOfRequests_WindowStartAndP99Printed()
    {
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models);
        await RolloutHost.SetAsync(host, static p => p with
        {
            Mode = RolloutMode.Canary,
            Canary = new CanarySettings { StableVersion = 2, CanaryVersion = 1, Weight = 50 },
        });
        var served = new Dictionary<string, int>();
        for (var i = 0; i < 60; i++)
        {
            var (variant, _) = await RolloutHost.SendAsync(host.Client, i % 32, key: $"user-{i}");
            served[variant] = served.GetValueOrDefault(variant) + 1;
        }

        var json = await ServingCtlAsync(host, "--json", "rollout", "status", RolloutHost.Model);
        var table = await ServingCtlAsync(host, "rollout", "status", RolloutHost.Model);

        var status = JsonNode.Parse(json)!["status"]!;
        Assert.NotNull((string?)status["window_started_at"]);
        foreach (var variant in status["variants"]!.AsArray())
        {
            var name = (string)variant!["variant"]!;
            Assert.Equal(served.GetValueOrDefault(name), (long)variant["requests"]!);
            if (served.GetValueOrDefault(name) > 0)
            {
                var p99 = (double)variant["latency_p99_seconds"]!;
                Assert.True(p99 > 0 && double.IsFinite(p99), $"{name}: p99 {p99}");
            }
        }
        Assert.Matches(@"live numbers since \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(observed \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\)", table);
        Assert.Matches(@"stable\s+v2\s+\d+\s+0\s+0\.00%\s+\d+\.\d ms", table);
        Assert.Matches(@"canary\s+v1\s+\d+\s+0\s+0\.00%\s+\d+\.\d ms", table);
    }

    private static async Task<string> ServingCtlAsync(GatewayHost host, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var url = host.Address.ToString();
        var code = await CliApp.RunAsync(args, output, error, http: null, environment: name => name == "SERVING_URL" ? url : null);
        Assert.True(code == 0, error.ToString());
        return output.ToString();
    }
}
