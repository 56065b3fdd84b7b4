using System.Diagnostics;
using Serving.Functional.Tests.Remote;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Common;

/// <summary>Runs the gateway's own build as a process that is expected to stop by itself (a refused start), and gives its exit code and output.</summary>
internal static class GatewayRun
{
    public static async Task<(int ExitCode, string Output)> ToExitAsync(IEnumerable<string> arguments)
    {
        var output = new BoundedLog();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add(WorkerProcess.GatewayAssembly());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => output.Append(e.Data);
        process.ErrorDataReceived += (_, e) => output.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The gateway did not stop within 2 minutes:\n{output}");
        }
        // Wait once more without a timeout so that the redirected output is complete.
        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }
}
