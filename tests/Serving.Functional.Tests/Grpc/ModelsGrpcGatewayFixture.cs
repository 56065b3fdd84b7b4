using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Grpc;

/// <summary>One gateway over models/ with its gRPC endpoint, shared by the tests of a class.</summary>
public sealed class ModelsGrpcGatewayFixture : IAsyncLifetime
{
    internal GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await GatewayHost.StartAsync(RepositoryPaths.Models, grpc: true);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
