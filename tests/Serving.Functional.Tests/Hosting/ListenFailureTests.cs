using System.Net;
using System.Net.Sockets;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Hosting;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Hosting;

/// <summary>
/// A start whose address another process holds stops with a line that names the address and a distinct exit
/// code (the host still logs the failure), not with an unhandled exception that aborts the runtime.
/// </summary>
public sealed class ListenFailureTests
{
    [Theory]
    [InlineData("http")]
    [InlineData("grpc")]
    public async Task Process_AddressHeldByAnother_ExitsNamingTheAddress(string listener)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var held = $"http://127.0.0.1:{((IPEndPoint)holder.LocalEndpoint).Port}";
        var state = Directory.CreateTempSubdirectory("serving-listen-").FullName;
        try
        {
            var (exitCode, output) = await GatewayRun.ToExitAsync(
            [
                "--urls", listener == "http" ? held : "http://127.0.0.1:0",
                "--Serving:Grpc:Url=" + (listener == "grpc" ? held : ""),
                $"--Serving:StateDirectory={state}", $"--Serving:ModelRepository={RepositoryPaths.Models}",
            ]);

            Assert.True(exitCode == ListenFailure.ExitCode, $"Exit code {exitCode}:\n{output}");
            Assert.Contains($"Cannot listen: Failed to bind to address {held}: address already in use.", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception.", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
