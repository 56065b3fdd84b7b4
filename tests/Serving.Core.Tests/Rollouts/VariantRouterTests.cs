using System.Globalization;
using System.Text.Json;
using Serving.Core.Rollouts;
using Serving.Testing.Rollouts;

namespace Serving.Core.Tests.Rollouts;

public class VariantRouterTests
{
    private const int Requests = 20_000;

    [Fact]
    public void Route_NoKeyAtWeight10_CanaryShareWithinOnePoint()
    {
        var router = new VariantRouter(new Random(1234));
        RolloutPolicy policy = RolloutFixtures.Canary(10);

        int canary = 0;
        for (int i = 0; i < Requests; i++)
        {
            RouteDecision decision = router.Route(policy, ReadOnlySpan<char>.Empty, previewRequested: false);
            canary += decision.Variant == RouteVariant.Canary ? 1 : 0;
        }

        Assert.InRange(100.0 * canary / Requests, 9.0, 11.0);
    }

    [Fact]
    public void Route_DistinctKeysAtWeight10_CanaryShareWithinOnePoint()
    {
        var router = new VariantRouter(new Random(1));
        RolloutPolicy policy = RolloutFixtures.Canary(10);

        int canary = 0;
        for (int i = 0; i < Requests; i++)
        {
            canary += router.Route(policy, Key(i), false).Variant == RouteVariant.Canary ? 1 : 0;
        }

        Assert.InRange(100.0 * canary / Requests, 9.0, 11.0);
    }

    [Fact]
    public void Route_SameKey_SameVariantAcrossCallsRoutersAndRecreatedPolicies()
    {
        RolloutPolicy policy = RolloutFixtures.Canary(10);
        var first = new VariantRouter(new Random(1));
        var second = new VariantRouter(new Random(99));

        // A restart: the policy comes back from its JSON, the router is new.
        RolloutPolicy reloaded = JsonSerializer.Deserialize(
            JsonSerializer.Serialize(policy, RolloutJsonContext.Default.RolloutPolicy), RolloutJsonContext.Default.RolloutPolicy)!;

        for (int i = 0; i < 1000; i++)
        {
            string key = Key(i);
            RouteDecision expected = first.Route(policy, key, false);
            for (int repeat = 0; repeat < 3; repeat++)
            {
                Assert.Equal(expected, first.Route(policy, key, false));
            }

            Assert.Equal(expected, second.Route(reloaded, key, false));
            Assert.Equal(expected, VariantRouter.Shared.Route(RolloutFixtures.Canary(10), key, false));
        }
    }

    [Fact]
    public void Route_WeightRaised_OnlyMovesKeysFromStableToCanary()
    {
        var router = new VariantRouter(new Random(1));
        RolloutPolicy at10 = RolloutFixtures.Canary(10);
        RolloutPolicy at20 = RolloutFixtures.Canary(20);

        int canaryAt10 = 0;
        int canaryAt20 = 0;
        for (int i = 0; i < Requests; i++)
        {
            string key = Key(i);
            bool was = router.Route(at10, key, false).Variant == RouteVariant.Canary;
            bool now = router.Route(at20, key, false).Variant == RouteVariant.Canary;
            Assert.True(!was || now, $"key {key} left the canary when the weight rose");
            canaryAt10 += was ? 1 : 0;
            canaryAt20 += now ? 1 : 0;
        }

        Assert.InRange(100.0 * canaryAt20 / Requests, 19.0, 21.0);
        Assert.True(canaryAt20 > canaryAt10);
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(100.0, true)]
    public void Route_WeightAtBound_AlwaysTheSameVariant(double weight, bool canary)
    {
        var router = new VariantRouter(new Random(7));
        RolloutPolicy policy = RolloutFixtures.Canary(weight);

        for (int i = 0; i < 5000; i++)
        {
            RouteDecision keyed = router.Route(policy, Key(i), false);
            RouteDecision unkeyed = router.Route(policy, ReadOnlySpan<char>.Empty, false);
            RouteVariant expected = canary ? RouteVariant.Canary : RouteVariant.Stable;
            Assert.Equal(expected, keyed.Variant);
            Assert.Equal(expected, unkeyed.Variant);
            Assert.Equal(canary ? 4 : 3, keyed.Version);
        }
    }

    [Fact]
    public void Route_FractionalWeight_KeyIsCanaryExactlyWhenItsBucketIsBelow250()
    {
        var router = new VariantRouter(new Random(1));
        RolloutPolicy policy = RolloutFixtures.Canary(2.5);
        long seed = CohortHash.SeedFor("fraud");

        int canary = 0;
        const int keys = 40_000;
        for (int i = 0; i < keys; i++)
        {
            string key = Key(i);
            bool isCanary = router.Route(policy, key, false).Variant == RouteVariant.Canary;
            Assert.Equal(CohortHash.Bucket(seed, key.AsSpan()) < 250, isCanary);
            canary += isCanary ? 1 : 0;
        }

        // 2.5% of 40,000 = 1,000 with a binomial standard deviation of about 31.
        Assert.InRange(canary, 875, 1125);
    }

    [Fact]
    public void Route_FractionalWeightWithoutKey_ShareMatches()
    {
        var router = new VariantRouter(new Random(5));
        RolloutPolicy policy = RolloutFixtures.Canary(0.5);

        int canary = 0;
        const int requests = 100_000;
        for (int i = 0; i < requests; i++)
        {
            canary += router.Route(policy, ReadOnlySpan<char>.Empty, false).Variant == RouteVariant.Canary ? 1 : 0;
        }

        // 0.5% of 100,000 = 500, standard deviation about 22.
        Assert.InRange(canary, 410, 590);
    }

    [Fact]
    public void Route_Utf8AndUtf16Keys_SameVariant()
    {
        var router = new VariantRouter(new Random(1));
        RolloutPolicy policy = RolloutFixtures.Canary(50);

        for (int i = 0; i < 2000; i++)
        {
            string key = Key(i) + "-ü";
            Assert.Equal(router.Route(policy, key, false), router.Route(policy, System.Text.Encoding.UTF8.GetBytes(key), false));
        }
    }

    [Fact]
    public void Route_SameKeysForTwoModels_DifferentCohorts()
    {
        var router = new VariantRouter(new Random(1));
        RolloutPolicy fraud = RolloutFixtures.Canary(50, model: "fraud");
        RolloutPolicy churn = RolloutFixtures.Canary(50, model: "churn");

        int same = 0;
        const int keys = 10_000;
        for (int i = 0; i < keys; i++)
        {
            string key = Key(i);
            same += router.Route(fraud, key, false).Variant == router.Route(churn, key, false).Variant ? 1 : 0;
        }

        // Independent 50/50 cohorts agree on about half the keys; the same cohorts would agree on all.
        Assert.InRange(100.0 * same / keys, 47.0, 53.0);
    }

    [Fact]
    public void Route_ShadowAt20Percent_CopiesAboutOneInFive()
    {
        var router = new VariantRouter(new Random(42));
        RolloutPolicy policy = RolloutFixtures.Canary(10) with
        {
            Shadow = new ShadowSettings { Version = 5, Percentage = 20 },
        };

        int shadowed = 0;
        for (int i = 0; i < Requests; i++)
        {
            RouteDecision decision = router.Route(policy, i % 2 == 0 ? Key(i) : string.Empty, false);
            if (decision.ShouldShadow)
            {
                Assert.Equal(5, decision.ShadowVersion);
                shadowed++;
            }
        }

        Assert.InRange(100.0 * shadowed / Requests, 19.0, 21.0);
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(100.0, Requests)]
    public void Route_ShadowAtBound_NoneOrAll(double percentage, int expected)
    {
        var router = new VariantRouter(new Random(3));
        RolloutPolicy policy = new() { Model = "fraud", Shadow = new ShadowSettings { Version = 5, Percentage = percentage } };

        int shadowed = 0;
        for (int i = 0; i < Requests; i++)
        {
            shadowed += router.Route(policy, ReadOnlySpan<char>.Empty, false).ShouldShadow ? 1 : 0;
        }

        Assert.Equal(expected, shadowed);
    }

    [Fact]
    public void Route_PrimaryIsTheShadowVersion_NoCopy()
    {
        var router = new VariantRouter(new Random(3));
        RolloutPolicy policy = RolloutFixtures.Canary(100) with { Shadow = new ShadowSettings { Version = 4, Percentage = 100 } };

        RouteDecision decision = router.Route(policy, "user-1", false);

        Assert.Equal(RouteVariant.Canary, decision.Variant);
        Assert.False(decision.ShouldShadow);
    }

    [Fact]
    public void Route_BlueGreen_PreviewOnlyWhenRequested()
    {
        var router = new VariantRouter(new Random(3));
        RolloutPolicy policy = RolloutFixtures.BlueGreen(active: 3, preview: 4);

        for (int i = 0; i < 1000; i++)
        {
            RouteDecision normal = router.Route(policy, Key(i), previewRequested: false);
            RouteDecision preview = router.Route(policy, Key(i), previewRequested: true);
            Assert.Equal(new RouteDecision(RouteVariant.Active, 3, 0), normal);
            Assert.Equal(new RouteDecision(RouteVariant.Preview, 4, 0), preview);
        }
    }

    [Fact]
    public void Route_BlueGreenWithoutPreviewVersion_PreviewRequestGetsActive()
    {
        var router = new VariantRouter(new Random(3));

        RouteDecision decision = router.Route(RolloutFixtures.BlueGreen(active: 3, preview: null), ReadOnlySpan<char>.Empty, previewRequested: true);

        Assert.Equal(new RouteDecision(RouteVariant.Active, 3, 0), decision);
    }

    [Fact]
    public void Route_BlueGreenSwitch_OneReplacementMovesAllTraffic()
    {
        var router = new VariantRouter(new Random(3));
        RolloutPolicy before = RolloutFixtures.BlueGreen(active: 3, preview: 4);
        RolloutPolicy after = before with { BlueGreen = new BlueGreenSettings { ActiveVersion = 4, PreviewVersion = 3 } };

        Assert.Equal(3, router.Route(before, "user-1", false).Version);
        Assert.Equal(4, router.Route(after, "user-1", false).Version);
        Assert.Equal(3, router.Route(after, "user-1", true).Version);
    }

    [Fact]
    public void Route_ModeNone_DefaultVersion()
    {
        RouteDecision decision = VariantRouter.Shared.Route(new RolloutPolicy { Model = "fraud" }, "user-1", true);

        Assert.Equal(new RouteDecision(RouteVariant.Default, 0, 0), decision);
        Assert.Equal("default", decision.VariantName);
    }

    [Fact]
    public void Route_ManyRequests_AllocatesNothing()
    {
        var router = new VariantRouter(new Random(3));
        RolloutPolicy policy = RolloutFixtures.Canary(10) with { Shadow = new ShadowSettings { Version = 5, Percentage = 50 } };
        string key = "user-12345";
        byte[] keyUtf8 = System.Text.Encoding.UTF8.GetBytes(key);
        int sink = 0;

        // Warm up (JIT, tiering) before measuring.
        for (int i = 0; i < 1000; i++)
        {
            sink += router.Route(policy, key, false).Version + router.Route(policy, keyUtf8, false).Version;
        }

        // The best of a few rounds: a round that overlaps tiered-JIT recompilation or a runtime-internal
        // allocation on this thread is not the router's doing.
        long fewest = long.MaxValue;
        for (int round = 0; round < 5 && fewest > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++)
            {
                sink += router.Route(policy, key, false).Version;
                sink += router.Route(policy, keyUtf8, false).Version;
                sink += router.Route(policy, ReadOnlySpan<char>.Empty, false).ShadowVersion;
                sink += VariantNames.Of(router.Route(policy, key, false).Variant).Length;
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.NotEqual(0, sink);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData(" TRUE ", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    [InlineData("1", false)]
    [InlineData("", false)]
    public void IsPreviewRequested_HeaderValue_OnlyTrue(string value, bool expected)
    {
        Assert.Equal(expected, VariantRouter.IsPreviewRequested(value));
    }

    [Fact]
    public void VariantNames_EveryVariant_StableLowerCaseName()
    {
        Assert.Equal("stable", VariantNames.Of(RouteVariant.Stable));
        Assert.Equal("canary", VariantNames.Of(RouteVariant.Canary));
        Assert.Equal("active", VariantNames.Of(RouteVariant.Active));
        Assert.Equal("preview", VariantNames.Of(RouteVariant.Preview));
        Assert.Equal("default", VariantNames.Of(RouteVariant.Default));
        Assert.Equal("shadow", VariantNames.Shadow);
    }

    private static string Key(int i) => "user-" + i.ToString(CultureInfo.InvariantCulture);
}
