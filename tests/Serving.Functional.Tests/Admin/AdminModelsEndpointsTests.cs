using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Serving.Core.Registry;
using Serving.Gateway.Registry;

namespace Serving.Functional.Tests.Admin;

public sealed class AdminModelsEndpointsTests : IAsyncLifetime
{
    private AdminTestServer _server = null!;

    private HttpClient Client => _server.Client;

    public async Task InitializeAsync() => _server = await AdminTestServer.StartAsync(prepareRepository: static repository =>
    {
        AdminTestServer.WriteVersion(repository, "credit-risk", 1, "v1", """{ "metrics": { "auc": 0.70, "log_loss": 0.60 } }""");
        AdminTestServer.WriteVersion(repository, "credit-risk", 2, "v2", """{ "metrics": { "auc": 0.781, "log_loss": 0.51 }, "features": ["age"] }""");
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task List_SeededRepository_ReturnsModelWithProductionVersion()
    {
        var body = await GetJsonAsync("/admin/models");

        var model = body["models"]![0]!;
        Assert.Equal("credit-risk", (string?)model["name"]);
        Assert.Equal(2, (int?)model["productionVersion"]);
        Assert.Equal("Staging", (string?)model["versions"]![0]!["stage"]);
        Assert.Equal("Production", (string?)model["versions"]![1]!["stage"]);
        Assert.Equal(0.781, (double?)model["versions"]![1]!["metrics"]!["auc"]);
    }

    [Fact]
    public async Task Get_UnknownModel_Returns404WithError()
    {
        using var response = await Client.GetAsync("/admin/models/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("model 'nope' not found", await ErrorOf(response));
    }

    [Fact]
    public async Task Register_ArtifactInRepository_Returns201WithHashAndMetadata()
    {
        AdminTestServer.WriteVersion(_server.Repository, "credit-risk", 3, "abc", """{ "metrics": { "auc": 0.79 }, "code_commit": "c0ffee" }""");

        using var response = await Client.PostAsJsonAsync("/admin/models/credit-risk/versions", new
        {
            artifact = "credit-risk/3/model.onnx",
            tags = new Dictionary<string, string> { ["owner"] = "risk-team" },
            actor = "alice",
            reason = "retrained on November data",
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var version = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(3, (int?)version["version"]);
        Assert.Equal("None", (string?)version["stage"]);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", (string?)version["sha256"]);
        Assert.Equal(0.79, (double?)version["metrics"]!["auc"]);
        Assert.Equal("c0ffee", (string?)version["codeCommit"]);
        Assert.Equal("risk-team", (string?)version["tags"]!["owner"]);
        var audit = await GetJsonAsync("/admin/models/credit-risk/audit");
        var last = audit["entries"]!.AsArray()[^1]!;
        Assert.Equal(("Register", "alice", "retrained on November data"), ((string?)last["action"], (string?)last["actor"], (string?)last["reason"]));
    }

    [Fact]
    public async Task Register_ExplicitMetricsAndVersion_OverrideMetadata()
    {
        AdminTestServer.WriteVersion(_server.Repository, "fraud", 5, "fraud", """{ "metrics": { "auc": 0.5 } }""");

        using var response = await Client.PostAsJsonAsync("/admin/models/fraud/versions", new
        {
            version = 7,
            artifact = "fraud/5/model.onnx",
            metrics = new Dictionary<string, double> { ["auc"] = 0.9 },
            sha256 = Convert.ToHexStringLower(SHA256.HashData("fraud"u8)),
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var version = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((7, 0.9), ((int?)version["version"], (double?)version["metrics"]!["auc"]));
    }

    [Theory]
    [InlineData("../../etc/passwd", "'..'")]
    [InlineData("credit-risk/../../secret.onnx", "'..'")]
    [InlineData("/etc/passwd", "relative")]
    [InlineData("credit-risk/9/model.onnx", "does not exist")]
    public async Task Register_BadArtifactLocation_Returns400(string artifact, string expected)
    {
        using var response = await Client.PostAsJsonAsync("/admin/models/credit-risk/versions", new { artifact });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_Sha256Mismatch_Returns400()
    {
        using var response = await Client.PostAsJsonAsync("/admin/models/credit-risk/versions",
            new { artifact = "credit-risk/1/model.onnx", version = 10, sha256 = new string('0', 64) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("sha256 mismatch", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("""{ "artifact": "credit-risk/1/model.onnx", "versoin": 3 }""")]
    [InlineData("""{ "artifact": "credit-risk/1/model.onnx", "version": "three" }""")]
    [InlineData("""{ "artifact": "credit-risk/1/model.onnx", "version": 0 }""")]
    [InlineData("")]
    public async Task Register_MalformedBody_Returns400(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("/admin/models/credit-risk/versions", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty(await ErrorOf(response));
    }

    [Fact]
    public async Task Register_BodyOverOneMebibyte_Returns413()
    {
        var json = $$"""{ "artifact": "credit-risk/1/model.onnx", "description": "{{new string('x', 1024 * 1024)}}" }""";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync("/admin/models/credit-risk/versions", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("exceeds 1048576 bytes", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    public async Task Transition_NonPositiveIntegerVersion_Returns400(string version)
    {
        using var response = await Client.PostAsJsonAsync($"/admin/models/credit-risk/versions/{version}/transition", new { stage = "Staging" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("positive integer", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transition_UnknownStage_Returns400()
    {
        using var response = await Client.PostAsJsonAsync("/admin/models/credit-risk/versions/1/transition", new { stage = "Canary" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("unknown stage 'Canary'", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transition_IllegalMove_Returns409()
    {
        using var response = await Client.PostAsJsonAsync("/admin/models/credit-risk/versions/2/transition",
            new { stage = "Staging", approver = "alice", reason = "why" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("cannot move from Production to Staging", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transition_PromotionWithoutApprover_Returns400()
    {
        using var response = await Client.PostAsJsonAsync("/admin/models/credit-risk/versions/1/transition", new { stage = "production", reason = "why" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("needs an approver and a reason", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transition_RegressingCandidate_Returns422WithNumbersThenForceSucceeds()
    {
        using var refused = await Client.PostAsJsonAsync("/admin/models/credit-risk/versions/1/transition",
            new { stage = "Production", approver = "alice", reason = "try v1 again" });
        var forced = await PostOkAsync("/admin/models/credit-risk/versions/1/transition",
            new { stage = "Production", approver = "alice", reason = "try v1 again", force = true, forceReason = "v2 leaks PII" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var error = await ErrorOf(refused);
        Assert.Contains("auc 0.7 vs production 0.781", error, StringComparison.Ordinal);
        Assert.Contains("log_loss 0.6 vs production 0.51", error, StringComparison.Ordinal);
        Assert.Equal(1, (int?)forced["productionVersion"]);
        var audit = await GetJsonAsync("/admin/models/credit-risk/audit");
        var promotion = audit["entries"]!.AsArray()[^2]!;
        Assert.Equal((true, "v2 leaks PII"), ((bool?)promotion["forced"], (string?)promotion["forceReason"]));
    }

    [Fact]
    public async Task Rollback_AfterPromotion_RestoresPreviousAndAudits()
    {
        await PostOkAsync("/admin/models/credit-risk/versions/1/transition",
            new { stage = "Production", approver = "alice", reason = "try v1", force = true, forceReason = "test the rollback" });

        var rolledBack = await PostOkAsync("/admin/models/credit-risk/rollback", new { actor = "oncall", reason = "p99 doubled" });

        Assert.Equal(2, (int?)rolledBack["productionVersion"]);
        var audit = await GetJsonAsync("/admin/models/credit-risk/audit");
        Assert.Equal("Rollback", (string?)audit["entries"]!.AsArray()[^1]!["action"]);

        using var again = await Client.PostAsJsonAsync("/admin/models/credit-risk/rollback", new { reason = "again" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using var noReason = await Client.PostAsJsonAsync("/admin/models/credit-risk/rollback", new { actor = "oncall" });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
    }

    [Fact]
    public async Task Aliases_PutThenDelete_PointAndUnpoint()
    {
        using var put = await Client.PutAsJsonAsync("/admin/models/credit-risk/aliases/champion", new { version = 2, actor = "alice" });
        var model = JsonNode.Parse(await put.Content.ReadAsStringAsync())!;
        using var deleted = await Client.DeleteAsync("/admin/models/credit-risk/aliases/champion?actor=bob&reason=retire");
        using var missing = await Client.DeleteAsync("/admin/models/credit-risk/aliases/champion");
        using var unknownVersion = await Client.PutAsJsonAsync("/admin/models/credit-risk/aliases/champion", new { version = 42 });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(2, (int?)model["aliases"]!["champion"]);
        Assert.Equal("champion", (string?)model["versions"]![1]!["aliases"]![0]);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownVersion.StatusCode);
        var audit = await GetJsonAsync("/admin/models/credit-risk/audit");
        Assert.Equal(("AliasRemove", "bob", "retire"),
            ((string?)audit["entries"]!.AsArray()[^1]!["action"], (string?)audit["entries"]!.AsArray()[^1]!["actor"], (string?)audit["entries"]!.AsArray()[^1]!["reason"]));
    }

    [Fact]
    public async Task Mutation_ThroughApi_ReachesTheStoreChangeFeed()
    {
        var store = _server.Services.GetRequiredService<IRegistryStore>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await using var feed = store.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = feed.MoveNextAsync();

        await PostOkAsync("/admin/models/credit-risk/versions/1/transition", new { stage = "Archived", approver = "bob" });

        Assert.True(await next);
        Assert.Equal("credit-risk", feed.Current);
    }

    [Fact]
    public void AddServingRegistry_WithoutRedis_UsesFileStoreUnderStateDirectory()
    {
        Assert.IsType<FileRegistryStore>(_server.Services.GetRequiredService<IRegistryStore>());
        Assert.True(File.Exists(Path.Combine(_server.Root, "state", "registry", "credit-risk.json")));
    }

    private async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<JsonNode> PostOkAsync(string path, object body)
    {
        using var response = await Client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetString()!;
    }
}
