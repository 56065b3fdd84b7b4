using System.Net;
using System.Security.Cryptography.X509Certificates;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Lifecycle;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Security;

/// <summary>
/// The admin API's client certificate authority replaced on disk while the gateway runs: certificates of the
/// new authority are accepted, those of the old one refused, and the expiry gauge follows.
/// </summary>
// serving_tls_certificate_expiry_timestamp_seconds is one per process: no other test's gateway may load a certificate meanwhile.
[Collection(RunsAloneCollection.Name)]
public sealed class MutualTlsReloadTests : IAsyncLifetime
{
    private const string AuthorityExpiry = "serving_tls_certificate_expiry_timestamp_seconds{kind=\"client_ca\"}";

    private readonly TestCertificates _server = new();
    private readonly TestCertificates _old = new("Old Admin CA");
    private readonly TestCertificates _new = new("New Admin CA");
    private string _authorityFile = null!;
    private Uri _https = null!;
    private GatewayHost _host = null!;

    public async Task InitializeAsync()
    {
        _https = new Uri($"https://127.0.0.1:{LocalServers.FreePort()}");
        _authorityFile = Path.Combine(_server.Directory, "admin-ca.pem");
        File.Copy(_old.AuthorityBundleFile, _authorityFile);
        _host = await GatewayHost.StartAsync(RepositoryPaths.Models, settings:
        [
            .. _server.ServerSettings(_https),
            $"--Serving:Tls:ClientCertificateAuthority={_authorityFile}",
            "--Serving:Tls:ReloadCheckInterval=00:00:00.100",
            "--Serving:Admin:Identities:alice:Role=approver",
        ]);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _server.Dispose();
        _old.Dispose();
        _new.Dispose();
    }

    [Fact]
    public async Task Admin_AuthorityFileReplaced_NewAuthorityAcceptedOldRefused()
    {
        using var fromOld = _old.CreateClientCertificate("alice");
        using var fromNew = _new.CreateClientCertificate("alice");
        var oldBefore = await AdminStatus(fromOld);
        var newBefore = await AdminStatus(fromNew);
        var expiryBefore = await Scrape.ValueAsync(_host.Client, AuthorityExpiry);

        File.Copy(_new.AuthorityBundleFile, _authorityFile + ".tmp");
        File.Move(_authorityFile + ".tmp", _authorityFile, overwrite: true);
        await Polling.UntilAsync(async () => await AdminStatus(fromNew) == HttpStatusCode.OK,
            "a new connection with a certificate of the new authority is accepted");

        Assert.Equal(HttpStatusCode.OK, oldBefore);
        Assert.Equal(HttpStatusCode.Forbidden, newBefore);
        Assert.Equal(HttpStatusCode.Forbidden, await AdminStatus(fromOld));
        Assert.Equal(EarliestExpiry(_old.AuthorityBundleFile), expiryBefore);
        Assert.Equal(EarliestExpiry(_new.AuthorityBundleFile), await Scrape.ValueAsync(_host.Client, AuthorityExpiry));
    }

    /// <summary>The status of an admin read over a new connection that presents <paramref name="certificate"/>.</summary>
    private async Task<HttpStatusCode> AdminStatus(X509Certificate2 certificate)
    {
        using var client = new HttpClient(_server.CreateHandler(certificate).Handler) { BaseAddress = _https };
        using var response = await client.GetAsync("/admin/models");
        return response.StatusCode;
    }

    /// <summary>The NotAfter, in Unix seconds, of the bundle's certificate that expires first.</summary>
    private static double EarliestExpiry(string bundle)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(bundle);
        return certificates.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime()).ToUnixTimeSeconds());
    }
}
