using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Serving.Functional.Tests.Common;

namespace Serving.Functional.Tests.Alerts;

/// <summary>
/// Starts a real, throw-away <c>prometheus-alertmanager</c> on a free loopback port (its own config and
/// storage in a temporary directory, clustering off) for the tests of a class, and stops it afterwards.
/// Fails loudly when it is not installed (scripts/install-deps.sh installs it).
/// </summary>
public sealed class AlertmanagerServer : IAsyncLifetime
{
    private const string Config = """
        route:
          receiver: nowhere
          group_wait: 1h
        receivers:
          - name: nowhere
        """;

    private readonly StringBuilder _output = new();
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };
    private Process? _process;
    private string? _directory;

    public string Url { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var executable = LocalServers.FindOnPath("prometheus-alertmanager") ?? LocalServers.FindOnPath("alertmanager") ?? throw new InvalidOperationException(
            "prometheus-alertmanager was not found on PATH. The drift alert tests post to a real Alertmanager: " +
            "install it with scripts/install-deps.sh (apt-get install -y prometheus-alertmanager).");
        _directory = Directory.CreateTempSubdirectory("serving-alertmanager-").FullName;
        var config = Path.Combine(_directory, "alertmanager.yml");
        await File.WriteAllTextAsync(config, Config);
        var port = LocalServers.FreePort();
        Url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--config.file=" + config,
            "--storage.path=" + Path.Combine(_directory, "data"),
            "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            "--cluster.listen-address=",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("prometheus-alertmanager did not start");
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await ReadyAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                string log;
                lock (_output)
                {
                    log = _output.ToString();
                }
                throw new InvalidOperationException($"Alertmanager on {Url} did not become ready:\n{log}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>The alerts Alertmanager holds as active (<c>GET /api/v2/alerts?active=true</c>), optionally only those with a <c>feature</c> label.</summary>
    public async Task<JsonElement[]> ActiveAlertsAsync(string? feature = null)
    {
        using var response = await _client.GetAsync(Url + "/api/v2/alerts?active=true&silenced=false&inhibited=false");
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var alerts = new List<JsonElement>();
        foreach (var alert in document.RootElement.EnumerateArray())
        {
            if (feature is null || (alert.GetProperty("labels").TryGetProperty("feature", out var f) && f.GetString() == feature))
            {
                alerts.Add(alert.Clone());
            }
        }
        return [.. alerts];
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try
        {
            if (_directory is not null)
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private async Task<bool> ReadyAsync()
    {
        try
        {
            using var response = await _client.GetAsync(Url + "/-/ready");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
