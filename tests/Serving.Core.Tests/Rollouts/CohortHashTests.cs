using System.Text;
using Serving.Core.Rollouts;

namespace Serving.Core.Tests.Rollouts;

public class CohortHashTests
{
    // Reference buckets computed by an independent pure-Python XXH64 (checked against the published
    // XXH64("") = 0xEF46DB3751D8E999): bucket = xxh64(key, seed=xxh64(model)) % 10000. If these change,
    // every sticky cohort in production reshuffles on upgrade.
    [Theory]
    [InlineData("fraud", "user-1", 5765)]
    [InlineData("fraud", "user-2", 7439)]
    [InlineData("fraud", "alice@example.com", 6829)]
    [InlineData("churn", "user-1", 6569)]
    [InlineData("fraud", "ключ-ü-✓", 850)]
    public void Bucket_KnownKeys_MatchesReferenceImplementation(string model, string key, int expected)
    {
        long seed = CohortHash.SeedFor(model);

        Assert.Equal(expected, CohortHash.Bucket(seed, key.AsSpan()));
        Assert.Equal(expected, CohortHash.Bucket(seed, Encoding.UTF8.GetBytes(key)));
    }

    [Fact]
    public void Bucket_LongKey_MatchesReferenceImplementation()
    {
        // 100 bytes exercises XXH64's 32-byte stripe loop.
        Assert.Equal(5761, CohortHash.Bucket(CohortHash.SeedFor("fraud"), new string('k', 100).AsSpan()));
    }

    [Fact]
    public void Bucket_KeyLongerThanStackBuffer_SameAsUtf8()
    {
        string key = string.Concat(Enumerable.Repeat("ü-routing-key-", 100));
        long seed = CohortHash.SeedFor("fraud");

        Assert.Equal(CohortHash.Bucket(seed, Encoding.UTF8.GetBytes(key)), CohortHash.Bucket(seed, key.AsSpan()));
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.01, 1)]
    [InlineData(0.07, 7)]
    [InlineData(2.5, 250)]
    [InlineData(10.0, 1000)]
    [InlineData(33.33, 3333)]
    [InlineData(100.0, 10_000)]
    [InlineData(double.NaN, 0)]
    public void BucketsFor_Percentage_CoversHundredthsOfAPercent(double percentage, int expected)
    {
        Assert.Equal(expected, CohortHash.BucketsFor(percentage));
    }

    [Theory]
    [InlineData(2.5, true)]
    [InlineData(0.07, true)]
    [InlineData(99.99, true)]
    [InlineData(33.333, false)]
    [InlineData(0.005, false)]
    [InlineData(double.PositiveInfinity, false)]
    public void IsOnGrid_Percentage_OnlyTwoDecimals(double percentage, bool expected)
    {
        Assert.Equal(expected, CohortHash.IsOnGrid(percentage));
    }
}
