using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Rollouts;
using Serving.Gateway.Rollouts;
using Serving.Testing.Rollouts;

namespace Serving.Gateway.Tests.Rollouts;

public sealed class RolloutServiceCollectionExtensionsTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("serving-rollouts-di-").FullName;

    [Fact]
    public async Task AddServingRollouts_NoRedis_FileStoreUnderStateDirectoryAndDefaultHooks()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serving:StateDirectory"] = _state,
        }).Build();
        await using var provider = new ServiceCollection().AddLogging().AddServingRollouts(configuration).BuildServiceProvider();

        var store = Assert.IsType<FileRolloutStore>(provider.GetRequiredService<IRolloutStore>());

        Assert.Equal(Path.Combine(_state, "rollouts"), store.PolicyDirectory);
        Assert.IsType<NullRolloutStatusSource>(provider.GetRequiredService<IRolloutStatusSource>());
        Assert.IsType<LoggingRolloutActionSink>(provider.GetRequiredService<IRolloutActionSink>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task AddServingRollouts_HooksRegisteredBefore_Kept()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serving:StateDirectory"] = _state,
        }).Build();
        var status = new FakeRolloutStatusSource();
        var services = new ServiceCollection().AddLogging().AddSingleton<IRolloutStatusSource>(status).AddServingRollouts(configuration);
        await using var provider = services.BuildServiceProvider();

        Assert.Same(status, provider.GetRequiredService<IRolloutStatusSource>());
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
