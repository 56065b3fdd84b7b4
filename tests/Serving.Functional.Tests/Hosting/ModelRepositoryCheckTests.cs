using Microsoft.Extensions.Configuration;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Hosting;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Hosting;

/// <summary>
/// A model repository named in the settings that does not exist stops the start (exit 78, naming the path) instead
/// of a process that loads nothing and reports ready; unset, or on a forwarding-only gateway, it is not required.
/// </summary>
public sealed class ModelRepositoryCheckTests
{
    [Fact]
    public async Task Process_NamedRepositoryMissing_ExitsNamingTheSetting()
    {
        var missing = Path.Combine(Path.GetTempPath(), "serving-no-such-repository-" + Guid.NewGuid().ToString("N"));
        var state = Directory.CreateTempSubdirectory("serving-repository-").FullName;
        try
        {
            var (exitCode, output) = await GatewayRun.ToExitAsync(
            [
                "--urls", "http://127.0.0.1:0", "--Serving:Grpc:Url=", $"--Serving:StateDirectory={state}", $"--Serving:ModelRepository={missing}",
            ]);

            Assert.True(exitCode == InvalidSettings.ExitCode, $"Exit code {exitCode}:\n{output}");
            Assert.Contains($"Serving:ModelRepository '{missing}' does not exist, so no model could be loaded.", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Theory]
    [InlineData(null, null, false)]                    // unset: the default may be missing
    [InlineData("existing", null, false)]
    [InlineData("missing", null, true)]
    [InlineData("missing", "worker", true)]
    [InlineData("missing", "Gateway", false)]          // forwards only, loads nothing
    [InlineData("", null, false)]                      // empty: the default
    public void Problem_ByRepositoryAndRole(string? repository, string? role, bool refused)
    {
        var path = repository switch
        {
            "existing" => RepositoryPaths.Models,
            "missing" => Path.Combine(Path.GetTempPath(), "serving-no-such-repository-" + Guid.NewGuid().ToString("N")),
            _ => repository,
        };
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Serving:ModelRepository"] = path, ["Serving:Role"] = role })
            .Build();

        var problem = ModelRepositoryCheck.Problem(configuration);

        Assert.Equal(refused, problem is not null);
        if (refused)
        {
            Assert.Contains(path!, problem, StringComparison.Ordinal);
        }
    }
}
