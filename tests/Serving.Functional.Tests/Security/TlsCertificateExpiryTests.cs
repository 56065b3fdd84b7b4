using System.Net;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Lifecycle;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Security;

/// <summary>
/// <c>serving_tls_certificate_expiry_timestamp_seconds</c>, which the ServingTlsCertificateExpiresSoon alert
/// reads: the expiry of a certificate made here with a chosen NotAfter, read back from <c>/metrics</c>.
/// </summary>
// The gauge is one per process: no other test's gateway may load a certificate meanwhile.
[Collection(RunsAloneCollection.Name)]
public sealed class TlsCertificateExpiryTests : IAsyncLifetime
{
    private const string ServerExpiry = "serving_tls_certificate_expiry_timestamp_seconds{kind=\"server\"}";

    private readonly TestCertificates _certificates = new();
    private readonly DateTimeOffset _notAfter = InWholeSeconds(DateTimeOffset.UtcNow.AddDays(10));
    private Uri _https = null!;
    private GatewayHost _host = null!;

    public async Task InitializeAsync()
    {
        _https = new Uri($"https://127.0.0.1:{LocalServers.FreePort()}");
        var settings = _certificates.ServerSettings(_https);
        _certificates.WriteServerCertificate(_certificates.CertificateFile, _certificates.KeyFile, notAfter: _notAfter);
        _host = await GatewayHost.StartAsync(RepositoryPaths.Models,
            settings: [.. settings, "--Serving:Tls:ReloadCheckInterval=00:00:00.100"]);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task Metrics_ServedCertificate_ItsNotAfterInUnixSeconds()
    {
        var expiry = await Scrape.ValueAsync(_host.Client, ServerExpiry);

        Assert.Equal(_notAfter.ToUnixTimeSeconds(), expiry);
    }

    [Fact]
    public async Task Metrics_ReplacedCertificate_TheReplacementsNotAfter()
    {
        var renewed = InWholeSeconds(DateTimeOffset.UtcNow.AddDays(90));
        var replacement = _certificates.WriteServerCertificate(_certificates.CertificateFile, _certificates.KeyFile, "CN=127.0.0.1, O=renewed", renewed);

        // The files are checked on a handshake: each try opens a new connection.
        await Polling.UntilAsync(async () =>
        {
            using var client = new HttpClient(_certificates.CreateHandler().Handler) { BaseAddress = _https };
            using var response = await client.GetAsync("/v2/health/live");
            return response.StatusCode == HttpStatusCode.OK
                && await Scrape.ValueAsync(_host.Client, ServerExpiry) == renewed.ToUnixTimeSeconds();
        }, "the gauge shows the replaced certificate's expiry");

        Assert.Equal(renewed, new DateTimeOffset(replacement.NotAfter.ToUniversalTime()));
    }

    // X.509 validity times have no fraction of a second.
    private static DateTimeOffset InWholeSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}
