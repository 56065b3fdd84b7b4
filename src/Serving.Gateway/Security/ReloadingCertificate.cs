using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Serving.Gateway.Security;

/// <summary>
/// The server certificate from <see cref="TlsOptions.CertificateFile"/> and <see cref="TlsOptions.KeyFile"/>,
/// loaded again when either file changes: handshakes compare the files' modification times and sizes with
/// the loaded ones at most once per <see cref="TlsOptions.ReloadCheckInterval"/>, so a rotated certificate
/// (cert-manager, a Kubernetes secret) is served to new connections without a restart while connections
/// already open keep theirs. A pair that does not load (half written, key not matching) is logged once and
/// the previous certificate stays in service.
/// </summary>
internal sealed partial class ReloadingCertificate
{
    private readonly string _certificateFile;
    private readonly string _keyFile;
    private readonly TimeProvider _time;
    private readonly long _checkInterval;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private volatile Loaded _current;
    private long _nextCheck;
    // Not any file's stamp, so that the first failure (files missing included) is logged.
    private FileStamp _failed = new(DateTime.MinValue, -1, DateTime.MinValue, -1);

    public ReloadingCertificate(TlsOptions options, TimeProvider time, ILogger<ReloadingCertificate> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _certificateFile = options.CertificateFile ?? throw new ArgumentException("Serving:Tls:CertificateFile is not set.", nameof(options));
        _keyFile = string.IsNullOrEmpty(options.KeyFile) ? _certificateFile : options.KeyFile;
        _time = time;
        _logger = logger;
        _checkInterval = (long)(options.ReloadCheckInterval.TotalSeconds * time.TimestampFrequency);
        var stamp = Stamp();
        try
        {
            _current = Load(stamp);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Serving:Tls: cannot load the certificate '{_certificateFile}' with the key '{_keyFile}': {ex.Message}", ex);
        }
        _nextCheck = time.GetTimestamp() + _checkInterval;
        LogLoaded(_logger, _current.Leaf.Subject, _current.Leaf.Thumbprint, _current.Leaf.NotAfter);
    }

    /// <summary>The certificate to present now (the leaf, with its private key).</summary>
    public X509Certificate2 Certificate => Fresh().Leaf;

    /// <summary>The certificate to present now with the intermediates of its file, for the handshake.</summary>
    public SslStreamCertificateContext Context => Fresh().Context;

    private Loaded Fresh()
    {
        var now = _time.GetTimestamp();
        if (now < Volatile.Read(ref _nextCheck))
        {
            return _current;
        }
        lock (_lock)
        {
            if (now < _nextCheck)
            {
                return _current;
            }
            _nextCheck = now + _checkInterval;
            var stamp = Stamp();
            if (stamp == _current.Stamp || stamp == _failed)
            {
                return _current;
            }
            try
            {
                _current = Load(stamp);
                LogLoaded(_logger, _current.Leaf.Subject, _current.Leaf.Thumbprint, _current.Leaf.NotAfter);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                // Writers rarely replace both files at once: the next change of either is tried again.
                _failed = stamp;
                LogReloadFailed(_logger, _certificateFile, _keyFile, ex.Message);
            }
            // The certificate replaced stays undisposed: connections already open may still present it.
            return _current;
        }
    }

    private Loaded Load(FileStamp stamp)
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
        return new Loaded(leaf, SslStreamCertificateContext.Create(leaf, intermediates, offline: true), stamp);
    }

    private FileStamp Stamp()
    {
        try
        {
            var certificate = new FileInfo(_certificateFile);
            var key = new FileInfo(_keyFile);
            return certificate.Exists && key.Exists
                ? new FileStamp(certificate.LastWriteTimeUtc, certificate.Length, key.LastWriteTimeUtc, key.Length)
                : default;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return default;
        }
    }

    private sealed record Loaded(X509Certificate2 Leaf, SslStreamCertificateContext Context, FileStamp Stamp);

    private readonly record struct FileStamp(DateTime CertificateWritten, long CertificateLength, DateTime KeyWritten, long KeyLength);

    [LoggerMessage(EventId = 6500, Level = LogLevel.Information, Message = "TLS: serving the certificate {Subject} (thumbprint {Thumbprint}, expires {NotAfter:u})")]
    private static partial void LogLoaded(ILogger logger, string subject, string thumbprint, DateTime notAfter);

    [LoggerMessage(EventId = 6501, Level = LogLevel.Warning, Message = "TLS: the changed certificate '{CertificateFile}' with key '{KeyFile}' does not load ({Reason}); still serving the previous one")]
    private static partial void LogReloadFailed(ILogger logger, string certificateFile, string keyFile, string reason);
}
