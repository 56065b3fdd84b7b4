using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Grpc;

/// <summary>One gateway over tests/fixtures/unseen-repo with its gRPC endpoint, shared by the tests of a class.</summary>
public sealed class UnseenRepoGrpcGatewayFixture : IAsyncLifetime
{
    internal GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GatewayHost.StartAsync(RepositoryPaths.UnseenRepo, grpc: true);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
