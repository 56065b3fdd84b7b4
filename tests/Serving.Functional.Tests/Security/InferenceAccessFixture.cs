using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Security;

/// <summary>
/// One gateway over models/ (REST and gRPC) whose inference API takes API keys and JWTs, with quotas:
/// <c>limited</c> and <c>grpc-limited</c> may make 2 and 1 requests and then one every 100 s; every other
/// identity has the default of 1000 a second.
/// </summary>
public sealed class InferenceAccessFixture : IAsyncLifetime
{
    /// <summary>The shared secret of the test's JWTs (HS256).</summary>
    public const string JwtSecret = "a-test-signing-secret-of-at-least-32-bytes";

    private readonly string _keyFile = Path.GetTempFileName();

    internal GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        File.WriteAllText(_keyFile, "k-steady\n");
        Host = await GatewayHost.StartAsync(RepositoryPaths.Models, grpc: true, settings:
        [
            "--Serving:Inference:ApiKeys:limited:Key=k-limited",
            $"--Serving:Inference:ApiKeys:steady:KeyFile={_keyFile}",
            "--Serving:Inference:ApiKeys:grpc-limited:Key=k-grpc-limited",
            "--Serving:Inference:Quotas:limited:RequestsPerSecond=0.01",
            "--Serving:Inference:Quotas:limited:Burst=2",
            "--Serving:Inference:Quotas:grpc-limited:RequestsPerSecond=0.01",
            "--Serving:Inference:Quotas:grpc-limited:Burst=1",
            "--Serving:Inference:DefaultQuota:RequestsPerSecond=1000",
            $"--Serving:Inference:Jwt:SigningKey={JwtSecret}",
            "--Serving:Inference:Jwt:Issuer=https://issuer.test",
            "--Serving:Inference:Jwt:Audience=serving",
        ]);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        File.Delete(_keyFile);
    }
}
