using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Security;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Security;

/// <summary>
/// <see cref="ClientCertificateAuthority"/> read again when its file changes: two authorities made here, the
/// file replaced by the other, by a half-written copy, and an authority without a root.
/// </summary>
public sealed class ClientCertificateAuthorityTests : IDisposable
{
    private readonly TestCertificates _old = new("Old Admin CA");
    private readonly TestCertificates _new = new("New Admin CA");
    private readonly RecordingLogger<ClientCertificateAuthority> _log = new();
    private readonly string _file;

    public ClientCertificateAuthorityTests()
    {
        _file = Path.Combine(_old.Directory, "admin-ca.pem");
        File.Copy(_old.AuthorityBundleFile, _file);
    }

    [Fact]
    public void Problem_FileReplacedByAnotherAuthority_ChecksAgainstTheNewOne()
    {
        using var fromOld = _old.CreateClientCertificate("alice");
        using var fromNew = _new.CreateClientCertificate("alice");
        var authority = Authority();
        var beforeOld = authority.Problem(fromOld);
        var beforeNew = authority.Problem(fromNew);

        Replace(_file, File.ReadAllText(_new.AuthorityBundleFile));

        Assert.Null(beforeOld);
        Assert.NotNull(beforeNew);
        Assert.Null(authority.Problem(fromNew));
        Assert.NotNull(authority.Problem(fromOld));
    }

    [Fact]
    public void Problem_HalfWrittenReplacement_KeepsThePreviousAuthorityAndLogsOnce()
    {
        using var fromOld = _old.CreateClientCertificate("alice");
        using var fromNew = _new.CreateClientCertificate("alice");
        var authority = Authority();
        var bundle = File.ReadAllText(_new.AuthorityBundleFile);

        Replace(_file, bundle[..(bundle.Length * 3 / 4)]);
        var oldWhileBroken = authority.Problem(fromOld);
        var newWhileBroken = authority.Problem(fromNew);
        var oldAgain = authority.Problem(fromOld);
        Replace(_file, bundle);

        Assert.Null(oldWhileBroken);
        Assert.NotNull(newWhileBroken);
        Assert.Null(oldAgain);
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains($"the changed client certificate authority ({_file}) does not load", warning.Message);
        // The next change is tried again.
        Assert.Null(authority.Problem(fromNew));
    }

    [Fact]
    public void Constructor_NoRootCertificate_StopsWithTheReason()
    {
        var intermediateOnly = File.ReadAllText(_old.AuthorityBundleFile).Split("\n-----BEGIN", 2)[0];
        Replace(_file, intermediateOnly);

        var error = Assert.Throws<OptionsValidationException>(Authority);

        Assert.Equal($"Serving:Tls:ClientCertificateAuthority: cannot read '{_file}': it holds no self-signed (root) certificate", error.Message);
    }

    // Checked on every call, so that each step here sees the file as it is.
    private ClientCertificateAuthority Authority() =>
        new(new TlsOptions { ClientCertificateAuthority = _file, ReloadCheckInterval = TimeSpan.Zero }, TimeProvider.System, _log);

    /// <summary>
    /// Replaces the file by a rename, dated a second after the one it replaces: file times advance in kernel
    /// ticks of a few milliseconds, and a rotation on a real system comes later than that.
    /// </summary>
    private static void Replace(string path, string text)
    {
        var previous = File.GetLastWriteTimeUtc(path);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.SetLastWriteTimeUtc(temporary, previous.AddSeconds(1));
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose()
    {
        _old.Dispose();
        _new.Dispose();
    }
}
