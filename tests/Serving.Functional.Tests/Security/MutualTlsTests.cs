using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Security;

/// <summary>Client certificates for the admin API (Serving:Tls:ClientCertificateAuthority).</summary>
public sealed class MutualTlsTests : IAsyncLifetime
{
    private readonly TestCertificates _certificates = new();
    private Uri _https = null!;
    private GatewayHost _host = null!;

    public async Task InitializeAsync()
    {
        _https = new Uri($"https://127.0.0.1:{LocalServers.FreePort()}");
        _host = await GatewayHost.StartAsync(RepositoryPaths.Models, settings:
        [
            .. _certificates.ServerSettings(_https),
            $"--Serving:Tls:ClientCertificateAuthority={_certificates.AuthorityBundleFile}",
            "--Serving:Admin:Identities:alice:Role=approver",
            "--Serving:Admin:Identities:bob:Role=viewer",
            "--Serving:Admin:Identities:bob:Token=t-bob",
        ]);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task Admin_WithoutClientCertificate_RefusedOverHttpsAndPlainHttp()
    {
        using var https = Client(null);
        using var overHttps = await https.GetAsync("/admin/models");
        using var overHttp = await Send(_host.Client, HttpMethod.Get, "/admin/models", token: "t-bob");
        using var inference = await https.GetAsync("/v2/health/ready");

        Assert.Equal(HttpStatusCode.Forbidden, overHttps.StatusCode);
        Assert.StartsWith("the admin API needs a client certificate", await ErrorOf(overHttps));
        Assert.Equal(HttpStatusCode.Forbidden, overHttp.StatusCode);
        Assert.Equal(HttpStatusCode.OK, inference.StatusCode);
    }

    [Fact]
    public async Task Admin_CertificateOfTheAuthority_AuthenticatesTheIdentityItNames()
    {
        using var aliceCertificate = _certificates.CreateClientCertificate("alice");
        using var bobCertificate = _certificates.CreateClientCertificate("bob");
        using var carolCertificate = _certificates.CreateClientCertificate("carol");
        using var alice = Client(aliceCertificate);
        using var bob = Client(bobCertificate);
        using var carol = Client(carolCertificate);

        using var aliceReads = await alice.GetAsync("/admin/models");
        using var bobReads = await bob.GetAsync("/admin/models");
        using var bobPromotes = await Send(bob, HttpMethod.Post, "/admin/models/credit-risk/versions/1/transition",
            body: new { stage = "Production", reason = "r", force = true, forceReason = "test" });
        using var carolWithoutToken = await carol.GetAsync("/admin/models");
        using var carolWithToken = await Send(carol, HttpMethod.Get, "/admin/models", token: "t-bob");

        Assert.True(aliceReads.StatusCode == HttpStatusCode.OK, await aliceReads.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, bobReads.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bobPromotes.StatusCode);
        Assert.Equal("identity 'bob' has the role viewer; this needs approver", await ErrorOf(bobPromotes));
        // A certificate that names no identity is only the way in: the token decides who it is.
        Assert.Equal(HttpStatusCode.Unauthorized, carolWithoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, carolWithToken.StatusCode);
    }

    [Fact]
    public async Task Admin_CertificateOfAnotherAuthority_Refused()
    {
        using var other = new TestCertificates("Another CA");
        using var foreignCertificate = other.CreateClientCertificate("alice");
        using var foreign = Client(foreignCertificate);

        using var response = await foreign.GetAsync("/admin/models");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith("the client certificate 'CN=alice' is not accepted for the admin API", await ErrorOf(response));
    }

    private HttpClient Client(X509Certificate2? certificate) =>
        new(_certificates.CreateHandler(certificate).Handler) { BaseAddress = _https };

    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string? token = null, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return await client.SendAsync(request);
    }

    private static async Task<string?> ErrorOf(HttpResponseMessage response) =>
        (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"];
}
