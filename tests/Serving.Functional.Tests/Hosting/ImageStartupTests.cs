using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using Serving.Functional.Tests.Common;
using Serving.Functional.Tests.Remote;
using Serving.Gateway.Hosting;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Hosting;

/// <summary>
/// The container image's start-up, without a container engine: the published gateway, run as the
/// image's unprivileged user from a root-owned directory (see <see cref="PublishedGateway"/>).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ImageStartupTests(PublishedGateway image) : IClassFixture<PublishedGateway>
{
    [Fact]
    public async Task Start_UnprivilegedWithStateVolume_ServesInferenceAndWritesItsState()
    {
        var state = image.NewStateVolume();
        var port = PublishedGateway.FreePort();
        var output = new BoundedLog();
        using var process = image.Start(port, new Dictionary<string, string> { ["Serving__StateDirectory"] = state }, output);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            await UntilReadyAsync(client, process, output);

            var fixture = ExpectedOutputs.CreditRisk;
            int[] rows = [0, 7, 19];
            using var response = await client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson(rows));
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var (version, probabilities) = await RemoteTopology.ReadCreditRiskAsync(response);
            fixture.AssertProbabilities(version, rows, probabilities);

            // The registry seeded from the repository lives in the volume, not under the app directory.
            Assert.NotEmpty(Directory.EnumerateFiles(state, "*", SearchOption.AllDirectories));
            Assert.False(Directory.Exists(Path.Combine(image.App, "state")));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Start_DefaultStateDirectoryInRootOwnedApp_ExitsWithMessageNamingTheSetting()
    {
        var output = new BoundedLog();
        using var process = image.Start(PublishedGateway.FreePort(), new Dictionary<string, string>(), output);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        // WaitForExit without a timeout drains the redirected output.
        process.WaitForExit();

        Assert.Equal(StateDirectoryCheck.ExitCode, process.ExitCode);
        var text = output.ToString();
        Assert.Contains("Serving:StateDirectory", text, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(image.App, "state"), text, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
    }

    private static Task UntilReadyAsync(HttpClient client, Process process, BoundedLog output) =>
        Polling.UntilAsync(async () =>
        {
            Assert.False(process.HasExited, "The published gateway exited:\n" + output);
            try
            {
                using var ready = await client.GetAsync("/v2/health/ready");
                return ready.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the published gateway is ready");
}
