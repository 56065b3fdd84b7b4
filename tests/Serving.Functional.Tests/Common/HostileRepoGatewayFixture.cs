using Serving.Testing.Common;

namespace Serving.Functional.Tests.Common;

/// <summary>
/// A gateway over a temporary repository of three models: <c>embedding</c> (tests/fixtures/hostile-repo),
/// <c>credit-risk</c> (from models/), and <c>corrupt</c>, whose only version is unreadable bytes and so
/// fails to load. Default settings: readiness is not strict.
/// </summary>
public sealed class HostileRepoGatewayFixture : IAsyncLifetime
{
    public string Repository { get; } = Directory.CreateTempSubdirectory("serving-hostile-").FullName;

    internal GatewayHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Copy(Path.Combine(RepositoryPaths.HostileRepo, "embedding"), Path.Combine(Repository, "embedding"));
        Copy(Path.Combine(RepositoryPaths.Models, "credit-risk"), Path.Combine(Repository, "credit-risk"));
        var corrupt = Directory.CreateDirectory(Path.Combine(Repository, "corrupt", "1")).FullName;
        File.Copy(Path.Combine(RepositoryPaths.UnseenRepo, "broken", "1", "model.onnx"), Path.Combine(corrupt, "model.onnx"));
        Host = await GatewayHost.StartAsync(Repository);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Directory.Delete(Repository, recursive: true);
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
