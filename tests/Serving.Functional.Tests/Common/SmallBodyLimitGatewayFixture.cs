using Serving.Testing.Common;

namespace Serving.Functional.Tests.Common;

/// <summary>A gateway over models/ that accepts request bodies of at most <see cref="Limit"/> bytes.</summary>
public sealed class SmallBodyLimitGatewayFixture : IAsyncLifetime
{
    public const int Limit = 1024;

    internal GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GatewayHost.StartAsync(RepositoryPaths.Models, [$"--Serving:MaxRequestBodyBytes={Limit}"]);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
