using Serving.Testing.Common;

namespace Serving.Functional.Tests.Common;

/// <summary>One gateway over models/ with default settings, shared by the tests of a class.</summary>
public sealed class ModelsGatewayFixture : IAsyncLifetime
{
    internal GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GatewayHost.StartAsync(RepositoryPaths.Models);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
