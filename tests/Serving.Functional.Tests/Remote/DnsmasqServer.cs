using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Serving.Functional.Tests.Common;

namespace Serving.Functional.Tests.Remote;

/// <summary>
/// A real DNS server (Debian's <c>dnsmasq</c>) on a loopback port, answering for names the test
/// controls from a hosts file it rewrites (dnsmasq watches the directory and re-reads it), as a
/// Kubernetes headless Service's records change while pods come and go. TTL 0: no answer is cached.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class DnsmasqServer : IDisposable
{
    private readonly string _directory;
    private readonly Process _process;
    private readonly BoundedLog _output = new();

    public DnsmasqServer()
    {
        _directory = Directory.CreateTempSubdirectory("serving-dns-").FullName;
        // dnsmasq drops to user nobody: the hosts directory must be readable by it.
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
        Port = FreeUdpPort();
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/dnsmasq") ? "/usr/sbin/dnsmasq" : "dnsmasq")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--port=" + Port.ToString(CultureInfo.InvariantCulture),
            "--hostsdir=" + _directory, "--local-ttl=0", "--neg-ttl=0", "--cache-size=0", "--log-facility=-",
            "--pid-file=" + Path.Combine(_directory, "pid")])
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("dnsmasq did not start.");
        _process.OutputDataReceived += (_, e) => _output.Append(e.Data);
        _process.ErrorDataReceived += (_, e) => _output.Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }

    /// <summary>The server as <c>Serving:Forwarding:DnsServer</c>.</summary>
    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public string Output => _output.ToString();

    /// <summary>Makes <paramref name="name"/> answer with exactly <paramref name="addresses"/> (one A record each).</summary>
    public void SetRecords(string name, params string[] addresses)
    {
        Assert.False(_process.HasExited, "dnsmasq exited:\n" + Output);
        var text = new StringBuilder();
        foreach (var address in addresses)
        {
            text.Append(address).Append(' ').Append(name).Append('\n');
        }
        // Written aside and renamed, so dnsmasq never reads half a file.
        var temporary = Path.Combine(_directory, ".hosts.tmp");
        File.WriteAllText(temporary, text.ToString());
        File.SetUnixFileMode(temporary, (UnixFileMode)0b110_100_100);
        File.Move(temporary, Path.Combine(_directory, "hosts"), overwrite: true);
    }

    /// <summary>The A records dnsmasq answers for <paramref name="name"/> now (asked as the gateway asks).</summary>
    public async Task<string[]> QueryAsync(string name)
    {
        var client = new DnsClient.LookupClient(new DnsClient.LookupClientOptions(IPEndPoint.Parse(Endpoint)) { UseCache = false });
        var result = await client.QueryAsync(name, DnsClient.QueryType.A);
        return [.. result.Answers.ARecords().Select(static r => r.Address.ToString()).Order(StringComparer.Ordinal)];
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
