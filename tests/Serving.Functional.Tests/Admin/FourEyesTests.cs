using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Testing.Registry;

namespace Serving.Functional.Tests.Admin;

/// <summary>Serving:Admin:RequireDistinctApprover: whoever registered a version cannot also approve its promotion to Production.</summary>
public sealed class FourEyesTests : IAsyncLifetime
{
    private AdminTestServer _server = null!;

    public async Task InitializeAsync() => _server = await AdminTestServer.StartAsync(
        prepareRepository: static repository =>
        {
            AdminTestServer.WriteVersion(repository, "credit-risk", 1, "v1", """{ "metrics": { "auc": 0.70, "log_loss": 0.60 } }""");
        },
        settings: new Dictionary<string, string?>
        {
            ["Serving:Admin:RequireDistinctApprover"] = "true",
            ["Serving:Admin:Identities:carol:Role"] = "approver",
            ["Serving:Admin:Identities:carol:Token"] = "t-carol",
            ["Serving:Admin:Identities:dave:Role"] = "approver",
            ["Serving:Admin:Identities:dave:Token"] = "t-dave",
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Transition_ToProductionByTheRegistrant_403NamingThemAnotherApproverPromotes()
    {
        AdminTestServer.WriteVersion(_server.Repository, "credit-risk", 2, "v2", """{ "metrics": { "auc": 0.80, "log_loss": 0.50 } }""");
        using var register = await SendAsync("t-carol", HttpMethod.Post, "/admin/models/credit-risk/versions",
            new { artifact = "credit-risk/2/model.onnx", actor = "dave", reason = "retrained" });
        using var staging = await SendAsync("t-carol", HttpMethod.Post, "/admin/models/credit-risk/versions/2/transition",
            new { stage = "Staging", reason = "to staging" });
        using var byRegistrant = await SendAsync("t-carol", HttpMethod.Post, "/admin/models/credit-risk/versions/2/transition",
            new { stage = "Production", approver = "dave", reason = "ship it" });
        using var byOther = await SendAsync("t-dave", HttpMethod.Post, "/admin/models/credit-risk/versions/2/transition",
            new { stage = "Production", reason = "reviewed" });
        using var auditResponse = await SendAsync("t-dave", HttpMethod.Get, "/admin/models/credit-risk/audit");
        var audit = JsonNode.Parse(await auditResponse.Content.ReadAsStringAsync())!["entries"]!.AsArray();

        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        Assert.Equal(HttpStatusCode.OK, staging.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byRegistrant.StatusCode);
        Assert.Equal("four eyes (Serving:Admin:RequireDistinctApprover): 'carol' registered credit-risk version 2, so the approver must be someone else, not 'carol'",
            (string?)JsonNode.Parse(await byRegistrant.Content.ReadAsStringAsync())!["error"]);
        Assert.Equal(HttpStatusCode.OK, byOther.StatusCode);
        // The registrant is the identity, not the body's "actor"; the approver too.
        Assert.Contains(audit, static e => (string?)e!["action"] == "Register" && (int?)e["version"] == 2 && (string?)e["actor"] == "carol");
        Assert.Contains(audit, static e => (string?)e!["action"] == "Transition" && (string?)e["after"] == "Production" && (int?)e["version"] == 2 && (string?)e["actor"] == "dave");
    }

    [Fact]
    public async Task Transition_ToProductionWithSharedToken_403AsNoOneIsNamed()
    {
        await using var server = await AdminTestServer.StartAsync(
            adminToken: "t-shared",
            prepareRepository: static repository => AdminTestServer.WriteVersion(repository, "credit-risk", 1, "v1"),
            settings: new Dictionary<string, string?> { ["Serving:Admin:RequireDistinctApprover"] = "true" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/models/credit-risk/versions/1/transition")
        {
            Content = JsonContent.Create(new { stage = "Production", approver = "someone else", reason = "r", force = true, forceReason = "test" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "t-shared");

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.StartsWith("Serving:Admin:RequireDistinctApprover is on: a promotion needs a named admin identity",
            (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
    }

    [Fact]
    public async Task RolloutPromote_ByTheCanaryVersionsRegistrant_403AnotherApproverPromotes()
    {
        await using var server = await RolloutTestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Serving:Admin:RequireDistinctApprover"] = "true",
            ["Serving:Admin:Identities:carol:Role"] = "approver",
            ["Serving:Admin:Identities:carol:Token"] = "t-carol",
            ["Serving:Admin:Identities:dave:Role"] = "approver",
            ["Serving:Admin:Identities:dave:Token"] = "t-dave",
        });
        var registry = server.Services.GetRequiredService<IRegistryStore>();
        var registered = await registry.RegisterAsync("fraud", RegistryTestData.Version(6), new ChangeContext("carol", "retrained"));
        Assert.True(registered.IsSuccess, registered.Error?.Message);
        var staged = await registry.TransitionAsync("fraud", 6, new TransitionRequest(ModelStage.Staging, "carol", "to staging"));
        Assert.True(staged.IsSuccess, staged.Error?.Message);
        using var put = await Send(server.Client, "t-carol", HttpMethod.Put, "/admin/rollouts/fraud",
            """{ "model": "fraud", "mode": "canary", "canary": { "stable_version": 5, "canary_version": 6, "weight": 5 }, "reason": "try v6" }""");
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        using var byRegistrant = await Send(server.Client, "t-carol", HttpMethod.Post, "/admin/rollouts/fraud/promote", """{ "reason": "mine" }""");
        using var byOther = await Send(server.Client, "t-dave", HttpMethod.Post, "/admin/rollouts/fraud/promote", """{ "reason": "reviewed" }""");

        Assert.Equal(HttpStatusCode.Forbidden, byRegistrant.StatusCode);
        Assert.Equal("four eyes (Serving:Admin:RequireDistinctApprover): 'carol' registered fraud version 6, so the approver must be someone else, not 'carol'",
            (string?)JsonNode.Parse(await byRegistrant.Content.ReadAsStringAsync())!["error"]);
        Assert.Equal(HttpStatusCode.OK, byOther.StatusCode);
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string token, HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
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
