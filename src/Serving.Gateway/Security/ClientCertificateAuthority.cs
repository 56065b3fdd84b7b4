using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Serving.Gateway.Security;

/// <summary>
/// The certificate authority of <see cref="TlsOptions.ClientCertificateAuthority"/>: admin clients'
/// certificates must chain to it (mutual TLS for <c>/admin</c>). Registered only when configured.
/// </summary>
internal sealed class ClientCertificateAuthority
{
    // id-kp-clientAuth: a certificate with an extended key usage must allow client authentication.
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2Collection _roots = [];
    private readonly X509Certificate2Collection _intermediates = [];

    /// <summary>
    /// Reads the authority: its self-signed certificates are the roots, the others intermediates that may
    /// complete a client's chain (clients send only their own certificate to the application).
    /// </summary>
    public ClientCertificateAuthority(string pemFile)
    {
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(pemFile);
            foreach (var certificate in certificates)
            {
                (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? _roots : _intermediates).Add(certificate);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Serving:Tls:ClientCertificateAuthority: cannot read '{pemFile}': {ex.Message}", ex);
        }
        if (_roots.Count == 0)
        {
            throw new InvalidOperationException($"Serving:Tls:ClientCertificateAuthority: '{pemFile}' holds no self-signed (root) certificate.");
        }
    }

    /// <summary>Null when <paramref name="certificate"/> chains to the authority and is valid now; otherwise why not.</summary>
    public string? Problem(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(_roots);
        policy.ExtraStore.AddRange(_intermediates);
        // Revocation is the authority's business: no CRL or OCSP fetch from the request path.
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.ApplicationPolicy.Add(ClientAuthentication);
        if (chain.Build(certificate))
        {
            return null;
        }
        var reasons = new List<string>();
        foreach (var status in chain.ChainStatus)
        {
            reasons.Add(status.StatusInformation.Trim());
        }
        return string.Join("; ", reasons);
    }
}
