using System.Net;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Registry;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Outcomes;

/// <summary>The prediction log in a real redis-server: replicas join each other's predictions; Redis down never fails inference.</summary>
[Collection(RedisCollection.Name)]
public sealed class SharedRedisFeedbackTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Feedback_TwoReplicasSharingRedis_JoinEachOthersPredictionsOnce()
    {
        using var repository = new CopiedRepository("outcomes-shared");
        var model = repository.Model;
        var settings = Settings(redis, "outcomes-shared");
        await using var first = await GatewayHost.StartAsync(repository.Root, settings);
        await using var second = await GatewayHost.StartAsync(repository.Root, settings);
        var random = new Random(11);
        var servedByFirst = await OutcomeTraffic.PredictAsync(first.Client, model, OutcomeTraffic.RequestJson(random));
        var servedBySecond = await OutcomeTraffic.PredictAsync(second.Client, model, OutcomeTraffic.RequestJson(random));
        Assert.NotEqual(servedByFirst.Id, servedBySecond.Id);
        await OutcomeTraffic.UntilLoggedAsync(first.Client, model, 1);
        await OutcomeTraffic.UntilLoggedAsync(second.Client, model, 1);

        var (status, answer) = await OutcomeTraffic.FeedbackAsync(second.Client, model, $$"""{"id":"{{servedByFirst.Id}}","label":1}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, answer.GetProperty("joined").GetInt32());
        (status, answer) = await OutcomeTraffic.FeedbackAsync(first.Client, model, $$"""{"id":"{{servedBySecond.Id}}","label":0}""");
        Assert.Equal(1, answer.GetProperty("joined").GetInt32());

        (status, answer) = await OutcomeTraffic.FeedbackAsync(first.Client, model,
            $$"""[{"id":"{{servedByFirst.Id}}","label":1},{"id":"{{servedBySecond.Id}}","label":0}]""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, answer.GetProperty("joined").GetInt32());
        Assert.Equal([servedByFirst.Id, servedBySecond.Id], OutcomeTraffic.Ids(answer, "duplicate"));

        // The replica that received the feedback scores it, with the version and variant the other replica served.
        var performance = await OutcomeTraffic.PerformanceAsync(second.Client, model);
        var window = performance.GetProperty("versions").EnumerateArray().Single(v => v.GetProperty("version").GetString() == servedByFirst.Version);
        Assert.Equal(1, window.GetProperty("labelled").GetInt32());
        Assert.Equal((1 - servedByFirst.Probability) * (1 - servedByFirst.Probability),
            OutcomeTraffic.Metric(performance, servedByFirst.Version, "default", "brier").GetProperty("value").GetDouble(), 1e-9);
    }

    [Fact]
    public async Task Infer_RedisDown_AnswersAndCountsTheLostPredictions()
    {
        using var repository = new CopiedRepository("outcomes-redis-down");
        var down = new RedisServerFixture();
        down.ReservePort();
        await using var gateway = await GatewayHost.StartAsync(repository.Root, Settings(down, "outcomes-down"));

        var served = await OutcomeTraffic.PredictAsync(gateway.Client, repository.Model, OutcomeTraffic.RequestJson(new Random(5)));

        Assert.False(string.IsNullOrEmpty(served.Id));
        await Polling.UntilAsync(async () => await Scrape.ValueAsync(gateway.Client, "serving_prediction_log_errors_total") >= 1,
            "the lost prediction is counted");
        var (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, repository.Model, $$"""{"id":"{{served.Id}}","label":1}""");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith("The prediction log is unavailable", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    private static string[] Settings(RedisServerFixture redis, string prefix) =>
    [
        .. OutcomeTraffic.Enabled,
        $"--Serving:Redis={redis.ConnectionString}",
        $"--Serving:Registry:RedisKeyPrefix={prefix}:registry",
        $"--Serving:Rollouts:RedisKeyPrefix={prefix}:rollouts",
        $"--Serving:Drift:RedisKeyPrefix={prefix}:drift",
        $"--Serving:Outcomes:RedisKeyPrefix={prefix}:outcomes",
    ];
}
