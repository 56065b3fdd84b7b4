using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Serving.Gateway.Security;

/// <summary>
/// The certificate authority of <see cref="TlsOptions.ClientCertificateAuthority"/>: admin clients'
/// certificates must chain to it (mutual TLS for <c>/admin</c>). Registered only when configured. Read again
/// when the file changes, like the server certificate (<see cref="ReloadingFiles{T}"/>, at most once per
/// <see cref="TlsOptions.ReloadCheckInterval"/>): a replacement that does not load is logged once and the
/// previous authority stays in use. Each authority loaded sets its earliest expiry in
/// <c>serving_tls_certificate_expiry_timestamp_seconds{kind="client_ca"}</c>.
/// </summary>
internal sealed partial class ClientCertificateAuthority
{
    // id-kp-clientAuth: a certificate with an extended key usage must allow client authentication.
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly string _pemFile;
    private readonly ReloadingFiles<Authority> _authority;

    /// <summary>Reads the authority; one that does not load stops the start-up with the reason.</summary>
    public ClientCertificateAuthority(TlsOptions options, TimeProvider time, ILogger<ClientCertificateAuthority> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _pemFile = options.ClientCertificateAuthority
            ?? throw new ArgumentException("Serving:Tls:ClientCertificateAuthority is not set.", nameof(options));
        try
        {
            _authority = new ReloadingFiles<Authority>("client certificate authority", [_pemFile], options.ReloadCheckInterval, time, Load,
                loaded =>
                {
                    TlsMetrics.ClientAuthorityLoaded(loaded.All);
                    LogLoaded(logger, _pemFile, loaded.Roots.Count, loaded.All.Count - loaded.Roots.Count);
                },
                logger);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new OptionsValidationException("Serving:Tls:ClientCertificateAuthority", typeof(TlsOptions), [$"Serving:Tls:ClientCertificateAuthority: cannot read '{_pemFile}': {ex.Message}"]);
        }
    }

    /// <summary>Null when <paramref name="certificate"/> chains to the authority and is valid now; otherwise why not.</summary>
    public string? Problem(X509Certificate2 certificate)
    {
        var authority = _authority.Current;
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(authority.Roots);
        policy.ExtraStore.AddRange(authority.Intermediates);
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

    /// <summary>
    /// Reads the file: its self-signed certificates are the roots, the others intermediates that may complete a
    /// client's chain (clients send only their own certificate to the application).
    /// </summary>
    private Authority Load()
    {
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(_pemFile);
        var roots = new X509Certificate2Collection();
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? roots : intermediates).Add(certificate);
        }
        return roots.Count > 0
            ? new Authority(roots, intermediates, all)
            : throw new CryptographicException("it holds no self-signed (root) certificate");
    }

    private sealed record Authority(X509Certificate2Collection Roots, X509Certificate2Collection Intermediates, X509Certificate2Collection All);

    [LoggerMessage(EventId = 6502, Level = LogLevel.Information,
        Message = "TLS: admin client certificates are checked against '{File}' ({Roots} roots, {Intermediates} intermediates)")]
    private static partial void LogLoaded(ILogger logger, string file, int roots, int intermediates);
}
