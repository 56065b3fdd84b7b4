using System.Security.Cryptography.X509Certificates;
using Prometheus;

namespace Serving.Gateway.Security;

/// <summary>The metrics of TLS: when the certificates in use expire, for the alert that warns before they do.</summary>
internal static class TlsMetrics
{
    private static readonly Gauge CertificateExpiry = Prometheus.Metrics.CreateGauge(
        "serving_tls_certificate_expiry_timestamp_seconds",
        "When a certificate in use expires (its NotAfter, Unix seconds), by kind: the served certificate (server) or the earliest of the client certificate authority's (client_ca). Set on every load.",
        new GaugeConfiguration { LabelNames = ["kind"] });

    /// <summary>Records the expiry of the server certificate now served.</summary>
    public static void ServerCertificateLoaded(X509Certificate2 leaf) =>
        CertificateExpiry.WithLabels("server").Set(UnixSeconds(leaf.NotAfter));

    /// <summary>Records the earliest expiry among the certificates of the client certificate authority now in use.</summary>
    public static void ClientAuthorityLoaded(X509Certificate2Collection certificates)
    {
        var earliest = DateTime.MaxValue;
        foreach (var certificate in certificates)
        {
            var notAfter = certificate.NotAfter.ToUniversalTime();
            earliest = notAfter < earliest ? notAfter : earliest;
        }
        CertificateExpiry.WithLabels("client_ca").Set(UnixSeconds(earliest));
    }

    // X509Certificate2.NotAfter is in local time.
    private static double UnixSeconds(DateTime notAfter) => new DateTimeOffset(notAfter.ToUniversalTime()).ToUnixTimeSeconds();
}
