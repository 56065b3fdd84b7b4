using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Serving.Core.Registry;

namespace Serving.Functional.Tests.Admin;

/// <summary>Every rollout change through the admin API says why, and who and why land in the model's audit trail.</summary>
public sealed class AdminRolloutsReasonTests : IAsyncLifetime
{
    private RolloutTestServer _server = null!;

    public async Task InitializeAsync() => _server = await RolloutTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("PUT", "/admin/rollouts/fraud", """{ "model": "fraud", "mode": "canary", "canary": { "stable_version": 3, "canary_version": 4, "weight": 9 } }""", "the policy's \"reason\" or ?reason=")]
    [InlineData("PUT", "/admin/rollouts/fraud?reason=%20", """{ "model": "fraud", "mode": "canary", "canary": { "stable_version": 3, "canary_version": 4, "weight": 9 }, "reason": " " }""", "?reason=")]
    [InlineData("POST", "/admin/rollouts/fraud/weight", """{ "weight": 9, "actor": "bob" }""", "the body's \"reason\"")]
    [InlineData("POST", "/admin/rollouts/fraud/weight", """{ "weight": 9, "reason": "" }""", "the body's \"reason\"")]
    [InlineData("POST", "/admin/rollouts/fraud/start", """{ "actor": "alice" }""", "rollout start")]
    [InlineData("POST", "/admin/rollouts/fraud/pause", "", "rollout pause")]
    [InlineData("POST", "/admin/rollouts/fraud/resume", "{}", "rollout resume")]
    [InlineData("POST", "/admin/rollouts/fraud/promote", """{ "actor": "alice" }""", "rollout promote")]
    [InlineData("POST", "/admin/rollouts/fraud/abort", """{ "reason": "   " }""", "rollout abort")]
    [InlineData("DELETE", "/admin/rollouts/fraud?actor=alice", null, "deleting a rollout policy")]
    public async Task AnyChange_WithoutReason_Returns400NamingItAndChangesNothing(string method, string path, string? json, string expected)
    {
        await PutOkAsync(AdminRolloutsEndpointsTests.CanaryPolicy);
        var before = (await _server.Registry.GetAuditAsync("fraud")).Count;

        using var response = await SendAsync(new HttpMethod(method), path, json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.StartsWith("reason is required", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        var policy = (await GetOkAsync("/admin/rollouts/fraud"))["policy"]!;
        Assert.Equal((1L, 2.5), ((long?)policy["revision"], (double?)policy["canary"]!["weight"]));
        Assert.Equal(before, (await _server.Registry.GetAuditAsync("fraud")).Count);
    }

    [Fact]
    public async Task Changes_NamedIdentity_AuditEntryRecordsTheIdentityNotTheBodyAndTheReason()
    {
        await using var secured = await RolloutTestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Serving:Admin:Identities:otto:Role"] = "operator",
            ["Serving:Admin:Identities:otto:Token"] = "t-otto",
            ["Serving:Admin:Identities:carol:Role"] = "approver",
            ["Serving:Admin:Identities:carol:Token"] = "t-carol",
        });

        using var put = await SendAsync(secured, "t-otto", HttpMethod.Put, "/admin/rollouts/fraud?actor=mallory", AdminRolloutsEndpointsTests.CanaryPolicy);
        using var weight = await SendAsync(secured, "t-otto", HttpMethod.Post, "/admin/rollouts/fraud/weight", """{ "weight": 10, "actor": "mallory", "reason": "error rate flat at 2.5%" }""");
        using var byOperator = await SendAsync(secured, "t-otto", HttpMethod.Post, "/admin/rollouts/fraud/promote", """{ "reason": "looks good" }""");
        using var promote = await SendAsync(secured, "t-carol", HttpMethod.Post, "/admin/rollouts/fraud/promote", """{ "actor": "CTO", "reason": "clean for a week" }""");
        using var delete = await SendAsync(secured, "t-carol", HttpMethod.Delete, "/admin/rollouts/fraud?actor=CTO&reason=v4%20is%20Production", null);

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.OK, HttpStatusCode.OK],
            [put.StatusCode, weight.StatusCode, byOperator.StatusCode, promote.StatusCode, delete.StatusCode]);
        var audit = (await secured.Registry.GetAuditAsync("fraud")).Where(static e => e.Action is AuditAction.RolloutSet or AuditAction.RolloutDelete).ToArray();
        Assert.Equal(
            [
                (AuditAction.RolloutSet, "otto", "fraud v4: new features"),
                (AuditAction.RolloutSet, "otto", "error rate flat at 2.5%"),
                (AuditAction.RolloutSet, "carol", "clean for a week"),
                (AuditAction.RolloutDelete, "carol", "v4 is Production"),
            ],
            audit.Select(static e => (e.Action, e.Actor, e.Reason)));
        Assert.Equal("canary: stable v3, canary v4, weight 10%", audit[1].After);
        Assert.True((await secured.Registry.VerifyAuditAsync("fraud")).Valid);
    }

    private static async Task<HttpResponseMessage> SendAsync(RolloutTestServer server, string token, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = Json(json);
        }

        return await server.Client.SendAsync(request);
    }

    private async Task PutOkAsync(string json)
    {
        using var response = await SendAsync(HttpMethod.Put, "/admin/rollouts/fraud", json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonNode> GetOkAsync(string path)
    {
        using var response = await _server.Client.GetAsync(path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        return body;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : Json(json) };
        return await _server.Client.SendAsync(request);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
}
