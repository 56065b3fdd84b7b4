using System.Net;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.OnCall;

/// <summary>The console's files as the gateway serves them: shipped in the binary, same-origin only, open without a token.</summary>
public sealed class ConsoleEndpointsTests
{
    [Fact]
    public async Task Get_BarePath_RedirectsToTheFolderThatServesTheIndex()
    {
        await using var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models, ["--Serving:AdminToken=secret"]);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = gateway.Address };

        using var bare = await client.GetAsync("/console");
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
        Assert.Equal("/console/", bare.Headers.Location!.OriginalString);

        // The page needs no token (it holds no data); the admin API it reads does.
        using var index = await client.GetAsync("/console/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType!.MediaType);
        var html = await index.Content.ReadAsStringAsync();
        Assert.Contains("<script src=\"console.js\" defer></script>", html, StringComparison.Ordinal);
        var policy = string.Join(' ', index.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        using var admin = await client.GetAsync("/admin/models");
        Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
    }

    [Fact]
    public async Task Get_EveryShippedFile_IsTheCheckoutsCopyWithItsContentType()
    {
        await using var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models);
        var wwwroot = Path.Combine(RepositoryPaths.Root, "src", "Serving.Gateway", "OnCall", "wwwroot");
        (string Url, string File, string Type)[] files =
        [
            ("/console/console.js", Path.Combine(wwwroot, "console.js"), "text/javascript"),
            ("/console/console.css", Path.Combine(wwwroot, "console.css"), "text/css"),
            ("/console/runbooks/drift.md", Path.Combine(RepositoryPaths.Root, "docs", "runbooks", "drift.md"), "text/plain"),
            ("/console/runbooks/service.md", Path.Combine(RepositoryPaths.Root, "docs", "runbooks", "service.md"), "text/plain"),
        ];
        foreach (var (url, file, type) in files)
        {
            using var response = await gateway.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(await File.ReadAllBytesAsync(file), await response.Content.ReadAsByteArrayAsync());
        }

        using var missing = await gateway.Client.GetAsync("/console/nothing.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("""{"runbook_base_url":"runbooks"}""", await gateway.Client.GetStringAsync("/console/config.json"));
    }

    [Fact]
    public async Task GetConfig_RunbookBaseConfigured_ConsoleLinksThere()
    {
        await using var gateway = await GatewayHost.StartAsync(
            RepositoryPaths.Models, ["--Serving:Console:RunbookBaseUrl=https://wiki.example.org/serving/runbooks"]);
        Assert.Equal("""{"runbook_base_url":"https://wiki.example.org/serving/runbooks"}""", await gateway.Client.GetStringAsync("/console/config.json"));
    }
}
