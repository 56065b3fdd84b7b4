using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Serving.Functional.Tests.Admin;

/// <summary>Named admin identities (Serving:Admin:Identities) with the roles viewer, operator and approver.</summary>
public sealed class AdminIdentityTests : IAsyncLifetime
{
    private readonly string _tokenFile = Path.GetTempFileName();
    private AdminTestServer _server = null!;

    public async Task InitializeAsync()
    {
        var tokenFile = _tokenFile;
        File.WriteAllText(tokenFile, "t-carol\n");
        _server = await AdminTestServer.StartAsync(
            prepareRepository: static repository =>
            {
                AdminTestServer.WriteVersion(repository, "credit-risk", 1, "v1", """{ "metrics": { "auc": 0.70, "log_loss": 0.60 } }""");
                AdminTestServer.WriteVersion(repository, "credit-risk", 2, "v2", """{ "metrics": { "auc": 0.781, "log_loss": 0.51 } }""");
            },
            settings: new Dictionary<string, string?>
            {
                ["Serving:Admin:Identities:vera:Role"] = "viewer",
                ["Serving:Admin:Identities:vera:Token"] = "t-vera",
                ["Serving:Admin:Identities:otto:Role"] = "operator",
                ["Serving:Admin:Identities:otto:Token"] = "t-otto",
                ["Serving:Admin:Identities:carol:Role"] = "approver",
                ["Serving:Admin:Identities:carol:TokenFile"] = tokenFile,
            });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        File.Delete(_tokenFile);
    }

    [Fact]
    public async Task Requests_ViewerToken_ReadsButCannotChangeOrPromote()
    {
        using var read = await SendAsync("t-vera", HttpMethod.Get, "/admin/models");
        using var alias = await SendAsync("t-vera", HttpMethod.Put, "/admin/models/credit-risk/aliases/champion", new { version = 2 });
        using var promote = await SendAsync("t-vera", HttpMethod.Post, "/admin/models/credit-risk/versions/1/transition",
            new { stage = "Production", approver = "vera", reason = "r" });
        using var unknown = await SendAsync("t-nobody", HttpMethod.Get, "/admin/models");
        using var none = await _server.Client.GetAsync("/admin/models");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, alias.StatusCode);
        Assert.Equal("identity 'vera' has the role viewer; this needs operator",
            (string?)JsonNode.Parse(await alias.Content.ReadAsStringAsync())!["error"]);
        Assert.Equal(HttpStatusCode.Forbidden, promote.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }

    [Fact]
    public async Task Transition_OperatorRefusedApproverRecordedFromIdentityNotBody()
    {
        using var alias = await SendAsync("t-otto", HttpMethod.Put, "/admin/models/credit-risk/aliases/champion", new { version = 2, actor = "someone else" });
        using var byOperator = await SendAsync("t-otto", HttpMethod.Post, "/admin/models/credit-risk/versions/1/transition",
            new { stage = "Production", approver = "otto", reason = "try v1", force = true, forceReason = "test" });
        using var byApprover = await SendAsync("t-carol", HttpMethod.Post, "/admin/models/credit-risk/versions/1/transition",
            new { stage = "Production", approver = "CTO (impersonated)", reason = "try v1", force = true, forceReason = "test" });
        using var auditResponse = await SendAsync("t-vera", HttpMethod.Get, "/admin/models/credit-risk/audit");
        var audit = JsonNode.Parse(await auditResponse.Content.ReadAsStringAsync())!["entries"]!.AsArray();

        Assert.Equal(HttpStatusCode.OK, alias.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byOperator.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byApprover.StatusCode);
        Assert.Contains(audit, static e => (string?)e!["alias"] == "champion" && (string?)e["actor"] == "otto");
        Assert.Contains(audit, static e => (bool?)e!["forced"] == true && (string?)e["actor"] == "carol");
        Assert.DoesNotContain(audit, static e => (string?)e!["actor"] is "CTO (impersonated)" or "someone else");
    }

    private async Task<HttpResponseMessage> SendAsync(string token, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return await _server.Client.SendAsync(request);
    }
}
