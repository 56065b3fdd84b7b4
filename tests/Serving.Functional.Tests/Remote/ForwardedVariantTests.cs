using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Outcomes;
using Serving.Gateway.Remote;
using Serving.Gateway.Rollouts;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Remote;

/// <summary>
/// The rollout variant a gateway chose travels to its worker (<see cref="ForwardedVariant"/>): the worker's
/// prediction log files each prediction under it, so feedback joined on the worker scores the canary and the
/// stable version apart. A process that is not a worker ignores the header.
/// </summary>
public sealed class ForwardedVariantTests
{
    private const string Model = "credit-risk";

    [Fact]
    public async Task Feedback_JoinedOnTheWorker_LandsInTheWindowOfTheVariantTheGatewayChose()
    {
        await using var topology = await SharedRedisTopology.StartAsync(workers: 1,
            workerSettings: [.. OutcomeTraffic.Enabled, "--Serving:Admin:AllowUnauthenticatedLoopback=true"]);
        var gateway = topology.Gateway;
        using var worker = new HttpClient { BaseAddress = new Uri(topology.Workers[0].Address) };
        using (var set = await gateway.Client.PutAsync($"/admin/rollouts/{Model}?actor=test&reason=forwarded-variant", new StringContent(
            """{"model":"credit-risk","mode":"canary","canary":{"stable_version":2,"canary_version":1,"weight":50}}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, set.StatusCode);
        }
        await gateway.Services.GetRequiredService<RolloutSyncService>().RefreshAsync(default);
        var random = new Random(17);
        var served = new List<ServedPrediction>();
        for (var i = 0; i < 24; i++)
        {
            served.Add(await OutcomeTraffic.PredictAsync(gateway.Client, Model, OutcomeTraffic.RequestJson(random)));
        }
        await OutcomeTraffic.UntilLoggedAsync(worker, Model, served.Count);
        var labels = served.Select((_, i) => i % 3 == 0 ? 1 : 0).ToArray();

        var (status, answer) = await OutcomeTraffic.FeedbackAsync(worker, Model, OutcomeTraffic.FeedbackJson(served.Select((p, i) => (p.Id, labels[i]))));
        var performance = await OutcomeTraffic.PerformanceAsync(worker, Model);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(served.Count, answer.GetProperty("joined").GetInt32());
        // 24 requests at 50 %: both variants answer (all on one side has a chance of 2^-23).
        Assert.Equal([("1", "canary"), ("2", "stable")], served.Select(p => (p.Version, p.Variant)).Distinct().Order().ToArray());
        foreach (var variant in served.Select((p, i) => (p, Label: labels[i])).GroupBy(s => (s.p.Version, s.p.Variant)))
        {
            var window = performance.GetProperty("versions").EnumerateArray()
                .Single(v => v.GetProperty("version").GetString() == variant.Key.Version && v.GetProperty("variant").GetString() == variant.Key.Variant);
            var brier = variant.Average(s => (s.Label - s.p.Probability) * (s.Label - s.p.Probability));
            Assert.Equal(variant.Count(), window.GetProperty("labelled").GetInt32());
            Assert.Equal(brier, OutcomeTraffic.Metric(performance, variant.Key.Version, variant.Key.Variant, "brier").GetProperty("value").GetDouble(), 1e-6);
        }
        Assert.DoesNotContain(performance.GetProperty("versions").EnumerateArray(),
            v => v.GetProperty("variant").GetString() == "default" && v.GetProperty("labelled").GetInt32() > 0);
    }

    [Fact]
    public async Task Infer_HeaderSentToAProcessThatIsNotAWorker_Ignored()
    {
        await using var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models, OutcomeTraffic.Enabled);
        using var request = new HttpRequestMessage(HttpMethod.Post, Infer.Path(Model, 2))
        {
            Content = new StringContent(OutcomeTraffic.RequestJson(new Random(3)), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(ForwardedVariant.Header, "canary");

        using var response = await gateway.Client.SendAsync(request);
        using var body = await Infer.ReadJsonAsync(response);
        var id = body.RootElement.GetProperty("id").GetString()!;
        await OutcomeTraffic.UntilLoggedAsync(gateway.Client, Model, 1);
        var (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, Model, $$"""{"id":"{{id}}","label":1}""");
        var performance = await OutcomeTraffic.PerformanceAsync(gateway.Client, Model);

        Assert.Equal("default", Assert.Single(response.Headers.GetValues("x-model-variant")));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, answer.GetProperty("joined").GetInt32());
        var window = Assert.Single(performance.GetProperty("versions").EnumerateArray(), v => v.GetProperty("labelled").GetInt32() > 0);
        Assert.Equal("default", window.GetProperty("variant").GetString());
    }
}
