using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Serving.Gateway.Security;

/// <summary>
/// The server certificate from <see cref="TlsOptions.CertificateFile"/> and <see cref="TlsOptions.KeyFile"/>,
/// loaded again when either file changes (<see cref="ReloadingFiles{T}"/>): handshakes compare the files'
/// contents with the loaded ones at most once per <see cref="TlsOptions.ReloadCheckInterval"/>,
/// so a rotated certificate (cert-manager, a Kubernetes secret) is served to new connections without a restart
/// while connections already open keep theirs. A pair that does not load (half written, key not matching) is logged once and
/// the previous certificate stays in service. Each certificate loaded sets its expiry in
/// <c>serving_tls_certificate_expiry_timestamp_seconds{kind="server"}</c>.
/// </summary>
internal sealed partial class ReloadingCertificate
{
    private readonly string _certificateFile;
    private readonly string _keyFile;
    private readonly ReloadingFiles<Loaded> _files;

    public ReloadingCertificate(TlsOptions options, TimeProvider time, ILogger<ReloadingCertificate> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _certificateFile = options.CertificateFile ?? throw new ArgumentException("Serving:Tls:CertificateFile is not set.", nameof(options));
        _keyFile = string.IsNullOrEmpty(options.KeyFile) ? _certificateFile : options.KeyFile;
        try
        {
            _files = new ReloadingFiles<Loaded>("certificate", [_certificateFile, _keyFile], options.ReloadCheckInterval, time, Load,
                loaded =>
                {
                    TlsMetrics.ServerCertificateLoaded(loaded.Leaf);
                    LogLoaded(logger, loaded.Leaf.Subject, loaded.Leaf.Thumbprint, loaded.Leaf.NotAfter);
                },
                logger);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new OptionsValidationException("Serving:Tls:CertificateFile", typeof(TlsOptions),
                [$"Serving:Tls: cannot load the certificate '{_certificateFile}' with the key '{_keyFile}': {ex.Message}"]);
        }
    }

    /// <summary>The certificate to present now (the leaf, with its private key).</summary>
    public X509Certificate2 Certificate => _files.Current.Leaf;

    /// <summary>The certificate to present now with the intermediates of its file, for the handshake.</summary>
    public SslStreamCertificateContext Context => _files.Current.Context;

    private Loaded Load()
    {
        var leaf = X509Certificate2.CreateFromPemFile(_certificateFile, _keyFile);
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(_certificateFile);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in chain)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(certificate);
            }
        }
        return new Loaded(leaf, SslStreamCertificateContext.Create(leaf, intermediates, offline: true));
    }

    private sealed record Loaded(X509Certificate2 Leaf, SslStreamCertificateContext Context);

    [LoggerMessage(EventId = 6500, Level = LogLevel.Information, Message = "TLS: serving the certificate {Subject} (thumbprint {Thumbprint}, expires {NotAfter:u})")]
    private static partial void LogLoaded(ILogger logger, string subject, string thumbprint, DateTime notAfter);
}
