using System.Diagnostics;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Grpc;

/// <summary>
/// The gRPC service against an independent client: Python's grpcio with stubs generated from the proto at
/// test time (grpc_conformance.py), over models the gateway was not written for, checked against numpy.
/// </summary>
public sealed class GrpcConformanceTests(UnseenRepoGrpcGatewayFixture fixture) : IClassFixture<UnseenRepoGrpcGatewayFixture>
{
    [Fact]
    public async Task PythonGrpcClient_UnseenModels_MetadataOutputsAndErrorsConform()
    {
        // Debian's interpreter, where python3-grpcio, python3-grpc-tools and python3-numpy install.
        var start = new ProcessStartInfo(File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "tests", "Serving.Functional.Tests", "Grpc", "grpc_conformance.py"));
        start.ArgumentList.Add(fixture.Host.GrpcAddress!.Authority);
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "src", "Serving.Gateway", "Grpc", "grpc_predict_v2.proto"));
        start.ArgumentList.Add(RepositoryPaths.Fixture("unseen-repo-expected.json"));
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"grpc_conformance.py exited {process.ExitCode}:\n{await stdout}\n{await stderr}");
        Assert.Contains("checks passed", await stdout, StringComparison.Ordinal);
    }
}
