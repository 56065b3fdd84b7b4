using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Outcomes;
using Serving.Core.Rollouts;
using Serving.Functional.Tests.Registry;
using Serving.Gateway.Experiments;
using Serving.Testing.Common;
using StackExchange.Redis;

namespace Serving.Functional.Tests.Experiments;

/// <summary>The experiment arms: what one replica adds, any replica reads; and which labelled predictions count.</summary>
[Collection(RedisCollection.Name)]
public sealed class ExperimentArmStoreTests(RedisServerFixture redis) : IDisposable
{
    private static readonly DateTimeOffset Started = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private readonly string _prefix = "test:experiments:" + Guid.NewGuid().ToString("N");
    private readonly List<ConnectionMultiplexer> _connections = [];

    [Fact]
    public async Task Redis_TwoReplicasAdd_EitherReadsBothArmsAsTheWelfordSummary()
    {
        var first = Open();
        var second = Open();
        double[] stable = [0.2, 0.9, 0.4, 0.35, 1.7];
        double[] canary = [0.6, 0.1, 2.2];
        for (int i = 0; i < stable.Length; i++)
        {
            (i % 2 == 0 ? first : second).Add("credit-risk", "1-42", VariantNames.Stable, stable[i]);
        }

        foreach (double value in canary)
        {
            second.Add("credit-risk", "1-42", VariantNames.Canary, value);
        }

        second.Add("credit-risk", "1-43", VariantNames.Canary, 100);
        SampleMoments expected = SampleMoments.Of(stable);
        await Polling.UntilAsync(async () => (await first.ReadAsync("credit-risk", "1-42", default)).Canary.Count == canary.Length, "the fire-and-forget additions land");

        var (s, c) = await first.ReadAsync("credit-risk", "1-42", default);
        Assert.Equal((expected.Count, 3L), (s.Count, c.Count));
        Assert.Equal(expected.Mean, s.Mean, 12);
        Assert.Equal(expected.Variance, s.Variance, 12);
        Assert.Equal(SampleMoments.Of(canary).Variance, c.Variance, 12);
    }

    [Fact]
    public async Task Local_NewExperimentKey_StartsFromZero()
    {
        var store = new LocalExperimentArmStore();
        store.Add("m", "1-1", VariantNames.Stable, 1.0);
        store.Add("m", "1-1", VariantNames.Canary, 2.0);
        store.Add("m", "1-2", VariantNames.Canary, 5.0);

        var (oldStable, _) = await store.ReadAsync("m", "1-1", default);
        var (newStable, newCanary) = await store.ReadAsync("m", "1-2", default);

        Assert.Equal(0, oldStable.Count);
        Assert.Equal((0L, 1L, 5.0), (newStable.Count, newCanary.Count, newCanary.Mean));
    }

    [Theory]
    [InlineData("stable", "3", 0, "stable")]
    [InlineData("canary", "4", 0, "canary")]
    [InlineData("canary", "3", 0, null)] // the canary variant answered by another version (a fallback)
    [InlineData("default", "3", 0, null)]
    [InlineData("stable", "3", -1, null)] // predicted before the step began
    public void Arm_OnlyThePolicysVersionsSinceTheStepBegan(string variant, string version, int minutes, string? expected)
    {
        var policy = new RolloutPolicy
        {
            Model = "m",
            Mode = RolloutMode.Canary,
            Canary = new CanarySettings { StableVersion = 3, CanaryVersion = 4, Weight = 50 },
            Plan = new RolloutPlan { Steps = [RolloutStep.SetWeight(50), RolloutStep.Experiment("brier", 0.01, TimeSpan.FromMinutes(1))] },
            Progress = new RolloutProgress { Status = RolloutStatus.Analyzing, StepIndex = 1, StepStartedAt = Started },
        };
        var at = Started.AddMinutes(minutes);

        var arm = ExperimentObserver.Arm(policy, new LabelledPrediction("m", version, variant, "id", 0.3, 1, null, at, at.AddHours(1)));

        Assert.Equal(expected, arm?.Arm);
        if (arm is { } found)
        {
            Assert.Equal(ExperimentKey.Of(policy.Progress), found.Key);
        }
    }

    public void Dispose()
    {
        redis.DeleteKeysAsync(_prefix).GetAwaiter().GetResult();
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
    }

    private RedisExperimentArmStore Open()
    {
        var connection = ConnectionMultiplexer.Connect(redis.ConnectionString);
        _connections.Add(connection);
        return new RedisExperimentArmStore(connection, _prefix, NullLogger<RedisExperimentArmStore>.Instance);
    }
}
