using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serving.Functional.Tests.Registry;
using Serving.Gateway.Drift;

namespace Serving.Functional.Tests.Drift;

[Collection(RedisCollection.Name)]
public sealed class DriftServiceCollectionExtensionsTests(RedisServerFixture redis)
{
    [Fact]
    public async Task AddDriftWindowExchange_RedisConfigured_MergesThroughRedisWithTheConfiguredGrace()
    {
        await using var services = Build(new()
        {
            ["Serving:Redis"] = redis.ConnectionString,
            ["Serving:Drift:MergeGrace"] = "00:00:05",
        });

        var exchange = services.GetRequiredService<IDriftWindowExchange>();

        Assert.IsType<RedisDriftWindowExchange>(exchange);
        Assert.True(exchange.IsShared);
        Assert.Equal(TimeSpan.FromSeconds(5), exchange.MergeGrace);
    }

    [Fact]
    public async Task AddDriftWindowExchange_NoRedis_StaysPerProcess()
    {
        await using var services = Build([]);

        var exchange = services.GetRequiredService<IDriftWindowExchange>();

        Assert.IsType<LocalDriftWindowExchange>(exchange);
        Assert.False(exchange.IsShared);
        Assert.Equal(TimeSpan.Zero, exchange.MergeGrace);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System);
        services.Configure<DriftOptions>(configuration.GetSection("Serving:Drift"));
        services.AddDriftWindowExchange(configuration);
        return services.BuildServiceProvider();
    }
}
