using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Serving.Gateway.Tests.Security;

/// <summary>A certificate authority made for a test with <see cref="CertificateRequest"/>, and certificates it issues, as PEM files.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;

    public TestCertificates(string name = "Serving Test CA")
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("serving-tls-").FullName;
        _root = CreateAuthority(name, issuer: null);
        _intermediate = CreateAuthority(name + " Intermediate", _root);
        AuthorityFile = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(AuthorityFile, _root.ExportCertificatePem());
        AuthorityBundleFile = Path.Combine(Directory, "ca-bundle.pem");
        File.WriteAllText(AuthorityBundleFile, _intermediate.ExportCertificatePem() + "\n" + _root.ExportCertificatePem());
    }

    /// <summary>The intermediate that issues every certificate here, then the root (PEM): what a server needs to check client certificates.</summary>
    public string AuthorityBundleFile { get; }

    public string Directory { get; }

    /// <summary>The root certificate (PEM) that clients trust.</summary>
    public string AuthorityFile { get; }

    public X509Certificate2 Root => _root;

    /// <summary>
    /// Writes a server certificate for 127.0.0.1 and localhost, issued by the intermediate, to
    /// <paramref name="certificateFile"/> (leaf, then intermediate) and its key to <paramref name="keyFile"/>,
    /// each replaced by a rename so a reader never sees half a file. Returns the leaf, which expires at
    /// <paramref name="notAfter"/> when given (else a minute before the intermediate).
    /// </summary>
    public X509Certificate2 WriteServerCertificate(string certificateFile, string keyFile, string subject = "CN=127.0.0.1", DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var leaf = Issue(request, _intermediate, notAfter);
        ReplaceFile(certificateFile, leaf.ExportCertificatePem() + "\n" + _intermediate.ExportCertificatePem());
        ReplaceFile(keyFile, key.ExportPkcs8PrivateKeyPem());
        return X509CertificateLoader.LoadCertificate(leaf.RawData);
    }

    /// <summary>tls.crt in <see cref="Directory"/>: the server certificate of <see cref="ServerSettings"/>.</summary>
    public string CertificateFile => Path.Combine(Directory, "tls.crt");

    /// <summary>tls.key in <see cref="Directory"/>: its key.</summary>
    public string KeyFile => Path.Combine(Directory, "tls.key");

    /// <summary>
    /// Writes a server certificate to <see cref="CertificateFile"/> and <see cref="KeyFile"/> and returns the
    /// gateway settings that serve it on <paramref name="https"/> (a free loopback port).
    /// </summary>
    public List<string> ServerSettings(Uri https)
    {
        WriteServerCertificate(CertificateFile, KeyFile);
        return
        [
            $"--Serving:Tls:Url={https.GetLeftPart(UriPartial.Authority)}",
            $"--Serving:Tls:CertificateFile={CertificateFile}",
            $"--Serving:Tls:KeyFile={KeyFile}",
        ];
    }

    /// <summary>A client certificate (with its private key) named <paramref name="commonName"/>, issued by the intermediate.</summary>
    public X509Certificate2 CreateClientCertificate(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var issued = Issue(request, _intermediate);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A client handler that trusts only this authority and counts the handshakes it makes, recording each server certificate.</summary>
    public HandshakeRecorder CreateHandler(X509Certificate2? clientCertificate = null)
    {
        var recorder = new HandshakeRecorder();
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, sent, errors) =>
        {
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
            {
                return false;
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            // Only what the server sent (and the trusted root) may complete the chain: no intermediate is known here.
            if (sent is not null)
            {
                foreach (var element in sent.ChainElements)
                {
                    chain.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }
            var served = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            var valid = chain.Build(served);
            recorder.Served.Enqueue(served.Thumbprint);
            return valid;
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }
        recorder.Handler = handler;
        return recorder;
    }

    private static X509Certificate2 CreateAuthority(string name, X509Certificate2? issuer)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notBefore.AddYears(5));
        }
        using var issued = Issue(request, issuer);
        return issued.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 Issue(CertificateRequest request, X509Certificate2 issuer, DateTimeOffset? notAfter = null)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var serial = new byte[12];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        // Within the issuer's validity, as X.509 requires of an issued certificate.
        return request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? new DateTimeOffset(issuer.NotAfter).AddMinutes(-1), serial);
    }

    private static void ReplaceFile(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose()
    {
        _root.Dispose();
        _intermediate.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}

/// <summary>A client handler and the server certificates of the handshakes it made, in order.</summary>
internal sealed class HandshakeRecorder
{
    public SocketsHttpHandler Handler { get; set; } = null!;

    public System.Collections.Concurrent.ConcurrentQueue<string> Served { get; } = new();
}
