using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Remote;

/// <summary>
/// The real binary (<c>dotnet Serving.Gateway.dll</c>) in the worker role, as its own process on a fixed
/// loopback port with a state directory of its own, so that a test can kill it (SIGKILL, as a crash or
/// an OOM kill would) and start it again at the same address.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly string[] _settings;
    private readonly string _stateDirectory;
    private readonly BoundedLog _output = new();
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Process? _process;

    private WorkerProcess(string host, int port, string[] settings)
    {
        Host = host;
        Port = port;
        _settings = settings;
        _stateDirectory = Directory.CreateTempSubdirectory("serving-worker-").FullName;
    }

    public int Port { get; }

    /// <summary>The loopback address the worker listens on (127.0.0.1 unless the test spreads workers over 127.0.0.0/8).</summary>
    public string Host { get; }

    /// <summary>The worker's base address, as a gateway's <c>Serving:Workers:N:Address</c>.</summary>
    public string Address => $"http://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Starts a worker over the default model repository and waits until it reports ready.</summary>
    public static Task<WorkerProcess> StartAsync(IEnumerable<string>? settings = null) => StartAsync("127.0.0.1", FreePort(), settings);

    /// <summary>Starts a worker at <paramref name="host"/>:<paramref name="port"/> and waits until it reports ready.</summary>
    public static async Task<WorkerProcess> StartAsync(string host, int port, IEnumerable<string>? settings = null)
    {
        var worker = new WorkerProcess(host, port, [.. settings ?? []]);
        try
        {
            await worker.LaunchAsync();
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
        return worker;
    }

    /// <summary>Kills the process abruptly: connections are reset, requests in flight get no answer.</summary>
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

    /// <summary>Stops the process as Kubernetes does (SIGTERM) and waits until it exited.</summary>
    public async Task TerminateAsync()
    {
        await SendTerminateAsync();
        await WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM and returns at once (the process drains, then exits).</summary>
    public async Task SendTerminateAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!;
            await kill.WaitForExitAsync();
        }
    }

    public Task WaitForExitAsync() => _process?.WaitForExitAsync() ?? Task.CompletedTask;

    /// <summary>The exit code of a process that exited; null while it runs.</summary>
    public int? ExitCode => _process is { HasExited: true } process ? process.ExitCode : null;

    /// <summary>Starts the process again at the same address and state directory, and waits until it is ready.</summary>
    public Task RestartAsync() => LaunchAsync();

    private async Task LaunchAsync()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        string[] arguments =
        [
            GatewayAssembly(),
            "--urls", Address,
            "--Serving:Role=worker",
            $"--Serving:ModelRepository={RepositoryPaths.Models}",
            $"--Serving:StateDirectory={_stateDirectory}",
            "--Serving:OnnxRuntime:ExecutionProvider=cpu",
            "--Logging:LogLevel:Default=Warning",
            .. _settings,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("The worker process did not start.");
        process.OutputDataReceived += (_, e) => _output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => _output.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await IsReadyAsync())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The worker at {Address} did not become ready:\n{Output}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>What the process wrote (warnings and errors), for failure messages.</summary>
    public string Output => _output.ToString();

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _probe.Dispose();
        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private async Task<bool> IsReadyAsync()
    {
        try
        {
            using var response = await _probe.GetAsync(Address + "/v2/health/ready");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>The gateway's own build output, for the configuration the tests were built in.</summary>
    internal static string GatewayAssembly()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var path = Path.Combine(RepositoryPaths.Root, "src", "Serving.Gateway", "bin", configuration, framework, "Serving.Gateway.dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The gateway's build output is missing; build the solution first.", path);
        }
        return path;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
