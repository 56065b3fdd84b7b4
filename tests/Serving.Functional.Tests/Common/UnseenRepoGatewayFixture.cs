using Serving.Testing.Common;

namespace Serving.Functional.Tests.Common;

/// <summary>One gateway over tests/fixtures/unseen-repo, shared by the tests of a class.</summary>
public sealed class UnseenRepoGatewayFixture : IAsyncLifetime
{
    internal GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GatewayHost.StartAsync(RepositoryPaths.UnseenRepo);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
