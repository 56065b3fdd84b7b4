using System.Diagnostics;
using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Grpc.Protocol;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Security;

/// <summary>
/// HTTPS and gRPC over TLS from PEM files (Serving:Tls), against the real gateway: a certificate chain
/// made in the test (root, intermediate, server), clients that trust only the root, and a certificate
/// replaced on disk while the gateway runs.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly TestCertificates _certificates = new();
    private Uri _https = null!;
    private GatewayHost _host = null!;

    public async Task InitializeAsync()
    {
        _https = new Uri($"https://127.0.0.1:{LocalServers.FreePort()}");
        _host = await GatewayHost.StartAsync(RepositoryPaths.Models,
            settings: [.. _certificates.ServerSettings(_https), "--Serving:Tls:ReloadCheckInterval=00:00:00.100"]);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task Https_Http1AndHttp2_AnswerWithTheChainTheRootTrusts()
    {
        var recorder = _certificates.CreateHandler();
        using var client = new HttpClient(recorder.Handler) { BaseAddress = _https };

        using var http1 = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v2/health/ready") { Version = HttpVersion.Version11 });
        using var http2 = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v2/models/credit-risk/infer")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent(Infer.CreditRiskJson([0]), System.Text.Encoding.UTF8, "application/json"),
        });

        Assert.Equal(HttpStatusCode.OK, http1.StatusCode);
        Assert.Equal(HttpVersion.Version11, http1.Version);
        Assert.Equal(HttpStatusCode.OK, http2.StatusCode);
        Assert.Equal(HttpVersion.Version20, http2.Version);
        Assert.NotEmpty(recorder.Served);
    }

    [Fact]
    public async Task Grpc_OverTls_SameEndpointByAlpn()
    {
        var recorder = _certificates.CreateHandler();
        using var channel = GrpcChannel.ForAddress(_https, new GrpcChannelOptions { HttpHandler = recorder.Handler });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        var live = await client.ServerLiveAsync(new ServerLiveRequest());
        var response = await client.ModelInferAsync(CreditRiskGrpc.OneRow());
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await client.ModelReadyAsync(new ModelReadyRequest { Name = "no-such-model" }));

        Assert.True(live.Live);
        Assert.Equal("credit-risk", response.ModelName);
        Assert.Single(response.Outputs);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task ReplacedCertificate_NewConnectionsGetItOpenConnectionsKeepWorking()
    {
        var before = _certificates.CreateHandler();
        using var open = new HttpClient(before.Handler) { BaseAddress = _https, DefaultRequestVersion = HttpVersion.Version20 };
        using (var first = await open.GetAsync("/v2/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        var original = Assert.Single(before.Served);

        var replacement = _certificates.WriteServerCertificate(_certificates.CertificateFile, _certificates.KeyFile, "CN=127.0.0.1, O=rotated");
        string? servedAfter = null;
        await Polling.UntilAsync(async () =>
        {
            var fresh = _certificates.CreateHandler();
            using var client = new HttpClient(fresh.Handler) { BaseAddress = _https };
            using var response = await client.GetAsync("/v2/health/live");
            servedAfter = Assert.Single(fresh.Served);
            return response.StatusCode == HttpStatusCode.OK && servedAfter == replacement.Thumbprint;
        }, "a new connection is served the replaced certificate");
        using var again = await open.GetAsync("/v2/health/live");

        Assert.NotEqual(original, replacement.Thumbprint);
        Assert.Equal(replacement.Thumbprint, servedAfter);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        // No second handshake: the request went over the connection opened before the rotation.
        Assert.Equal([original], before.Served);
    }

    [Fact]
    public async Task Curl_WithCacert_AnswersOverHttps()
    {
        var curl = LocalServers.FindOnPath("curl");
        Assert.True(curl is not null, "curl is not installed (scripts/install-deps.sh installs it)");
        var start = new ProcessStartInfo(curl, ["--silent", "--show-error", "--cacert", _certificates.AuthorityFile,
            "--output", "/dev/null", "--write-out", "%{http_code} %{http_version}", new Uri(_https, "/v2/health/ready").ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"curl failed ({process.ExitCode}): {error}");
        Assert.StartsWith("200 ", output);
    }
}
