using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Serving.Functional.Tests.Common;

namespace Serving.Functional.Tests.Registry;

/// <summary>
/// Starts a real, throw-away <c>redis-server</c> on a free loopback port (no persistence) for the
/// tests of a collection, and stops it afterwards. Fails loudly when redis-server is not installed.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},abortConnect=false";

    /// <summary>
    /// When set before start, redis-server keeps an append-only file there, so that a killed and
    /// restarted server comes back with its data (as a production Redis with persistence would).
    /// </summary>
    public string? DataDirectory { get; init; }

    public Task InitializeAsync()
    {
        Port = LocalServers.FreePort();
        return StartAsync();
    }

    /// <summary>Picks the port without starting the server (a Redis that is down); <see cref="RestartAsync"/> starts it.</summary>
    public void ReservePort() => Port = LocalServers.FreePort();

    /// <summary>Deletes every key under <paramref name="prefix"/>: what a flush, or a restart without persistence, does to one store.</summary>
    public async Task DeleteKeysAsync(string prefix)
    {
        await using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(ConnectionString);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        await foreach (var key in server.KeysAsync(pattern: prefix + ":*"))
        {
            await connection.GetDatabase().KeyDeleteAsync(key);
        }
    }

    /// <summary>Kills the server abruptly (as a crash would).</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the server again on the same port (and data directory, if any).</summary>
    public Task RestartAsync() => StartAsync();

    private async Task StartAsync()
    {
        var executable = LocalServers.FindOnPath("redis-server") ?? throw new InvalidOperationException(
            "redis-server was not found on PATH. The Redis registry tests run against a real server: " +
            "install it with `apt-get update && apt-get install -y redis-server` (.ci/run does this).");

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] persistence = DataDirectory is null
            ? ["--save", "", "--appendonly", "no"]
            : ["--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", DataDirectory];
        foreach (var argument in new[] { "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--daemonize", "no" }.Concat(persistence))
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await PingAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                string log;
                lock (_output)
                {
                    log = _output.ToString();
                }

                throw new InvalidOperationException($"redis-server on port {Port} did not answer PING:\n{log}");
            }

            await Task.Delay(50);
        }
    }

    public Task DisposeAsync() => KillAsync();

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
