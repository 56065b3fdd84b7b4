namespace Serving.Gateway.Security;

/// <summary>HTTPS from PEM files, bound from <c>Serving:Tls</c> (docs/security.md, "TLS").</summary>
public sealed class TlsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Serving:Tls";

    /// <summary>
    /// An HTTPS address to listen on beside <c>--urls</c> (<c>https://0.0.0.0:8443</c>), serving REST and
    /// gRPC (HTTP/1.1 and HTTP/2, chosen by ALPN). Optional: an <c>https://</c> address in <c>--urls</c>
    /// uses the same certificate.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>PEM file of the server certificate, followed by its intermediates if any.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM file of the certificate's private key (PKCS#8, PKCS#1 or SEC1, unencrypted).</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// PEM file of the certificate authority that admin clients' certificates must chain to. When set, every
    /// <c>/admin</c> request must come over TLS with such a certificate (mutual TLS); other callers are not
    /// asked for one.
    /// </summary>
    public string? ClientCertificateAuthority { get; set; }

    /// <summary>How often, at most, the files are read again and compared with the loaded ones (during handshakes; the client CA, on admin requests). Default 1 s.</summary>
    public TimeSpan ReloadCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether a certificate is configured.</summary>
    public bool Enabled => !string.IsNullOrEmpty(CertificateFile);
}
