using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Serving.Core.Rollouts;
using Serving.Gateway.Rollouts;

namespace Serving.Functional.Tests.Admin;

public sealed class AdminRolloutsEndpointsTests : IAsyncLifetime
{
    internal const string CanaryPolicy = """
        { "model": "fraud", "mode": "canary", "canary": { "stable_version": 3, "canary_version": 4, "weight": 2.5 },
          "actor": "alice", "reason": "fraud v4: new features" }
        """;

    internal const string PlanPolicy = """
        {
          "model": "fraud", "mode": "canary",
          "canary": { "stable_version": 3, "canary_version": 4, "weight": 0 },
          "plan": { "steps": [
            { "type": "set_weight", "weight": 10 },
            { "type": "pause" },
            { "type": "set_weight", "weight": 50 },
            { "type": "analysis", "interval_seconds": 300 },
            { "type": "set_weight", "weight": 100 },
          ] },
          "reason": "fraud v4 plan",
        }
        """;

    /// <summary>The smallest command body: every rollout change says why.</summary>
    private const string Reason = """{ "reason": "test" }""";

    private RolloutTestServer _server = null!;

    private HttpClient Client => _server.Client;

    public async Task InitializeAsync() => _server = await RolloutTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Put_NewPolicy_Returns201AtRevisionOneWithWhoWhenWhy()
    {
        using var response = await SendAsync(HttpMethod.Put, "/admin/rollouts/fraud", CanaryPolicy);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var policy = (await BodyOf(response))["policy"]!;
        Assert.Equal(1, (long?)policy["revision"]);
        Assert.Equal(2.5, (double?)policy["canary"]!["weight"]);
        Assert.Equal("alice", (string?)policy["updated_by"]);
        Assert.Equal("fraud v4: new features", (string?)policy["reason"]);
        Assert.Equal(RolloutTestServer.T0, DateTimeOffset.Parse((string)policy["updated_at"]!, CultureInfo.InvariantCulture));
        Assert.Null(policy["actor"]);
    }

    [Fact]
    public async Task Put_ActorAndReasonInQuery_Recorded()
    {
        using var response = await SendAsync(HttpMethod.Put, "/admin/rollouts/fraud?actor=bob&reason=hotfix",
            """{ "model": "fraud", "mode": "blue_green", "blue_green": { "active_version": 2, "preview_version": 3 } }""");

        var policy = (await BodyOf(response))["policy"]!;
        Assert.Equal(("bob", "hotfix"), ((string?)policy["updated_by"], (string?)policy["reason"]));
    }

    [Fact]
    public async Task Get_StoredPolicy_ReturnsPolicyAndLiveStatus()
    {
        await PutOkAsync(CanaryPolicy);
        _server.Status.Statuses["fraud"] = new RolloutLiveStatus
        {
            ObservedAt = RolloutTestServer.T0,
            Variants =
            [
                new VariantLiveStatus { Variant = "stable", Version = 3, Requests = 1000, Errors = 10, LatencyP99Seconds = 0.012 },
                new VariantLiveStatus { Variant = "canary", Version = 4, Requests = 0 },
            ],
            LastAnalysis = AnalysisOutcome.Wait("need 100 requests per cohort, have stable 1000 and canary 0"),
        };

        var body = await GetOkAsync("/admin/rollouts/fraud");

        Assert.Equal("canary", (string?)body["policy"]!["mode"]);
        var variants = body["status"]!["variants"]!.AsArray();
        Assert.Equal((1000, 0.01, 0.012), ((long?)variants[0]!["requests"], (double?)variants[0]!["error_rate"], (double?)variants[0]!["latency_p99_seconds"]));
        Assert.Equal("NaN", (string?)variants[1]!["error_rate"]);
        Assert.Equal("wait", (string?)body["status"]!["last_analysis"]!["verdict"]);
        Assert.Null(body["actions"]);
    }

    [Fact]
    public async Task Get_NoPolicy_Returns404()
    {
        using var response = await Client.GetAsync("/admin/rollouts/fraud");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("no rollout policy for model 'fraud'", await ErrorOf(response));
    }

    [Theory]
    [InlineData("GET", "/admin/rollouts/bad%20name")]
    [InlineData("PUT", "/admin/rollouts/-fraud")]
    [InlineData("POST", "/admin/rollouts/bad%20name/abort")]
    [InlineData("DELETE", "/admin/rollouts/_fraud")]
    public async Task AnyRoute_InvalidModelName_Returns400(string method, string path)
    {
        using var response = await SendAsync(new HttpMethod(method), path, method == "GET" ? null : "{}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("invalid model name", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_TwoPolicies_OrderedByModel()
    {
        await PutOkAsync(CanaryPolicy.Replace("\"fraud\"", "\"zeta\"", StringComparison.Ordinal), "zeta");
        await PutOkAsync(CanaryPolicy);

        var body = await GetOkAsync("/admin/rollouts");

        Assert.Equal(["fraud", "zeta"], body["rollouts"]!.AsArray().Select(static p => (string?)p!["model"]));
    }

    [Fact]
    public async Task Put_StaleRevision_Returns409AndKeepsStoredPolicy()
    {
        await PutOkAsync(CanaryPolicy);
        await PutOkAsync(CanaryPolicy.Replace("2.5", "5", StringComparison.Ordinal));

        using var stale = await SendAsync(HttpMethod.Put, "/admin/rollouts/fraud", CanaryPolicy.Replace("{ \"model\"", "{ \"revision\": 1, \"model\"", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("is at revision 2, not 1", await ErrorOf(stale), StringComparison.Ordinal);
        Assert.Equal(5, (double?)(await GetOkAsync("/admin/rollouts/fraud"))["policy"]!["canary"]!["weight"]);
    }

    [Fact]
    public async Task Put_CurrentRevision_Returns200AndIncrements()
    {
        await PutOkAsync(CanaryPolicy);

        var body = await PutOkAsync(CanaryPolicy.Replace("{ \"model\"", "{ \"revision\": 1, \"model\"", StringComparison.Ordinal));

        Assert.Equal(2, (long?)body["policy"]!["revision"]);
    }

    [Fact]
    public async Task Put_WithoutRevisionOrProgress_KeepsThePlansProgress()
    {
        await PutOkAsync(PlanPolicy);
        await PostOkAsync("/admin/rollouts/fraud/start", """{ "actor": "alice", "reason": "go" }""");

        var body = await PutOkAsync(PlanPolicy.Replace("\"mode\": \"canary\",", "\"mode\": \"canary\", \"shadow\": { \"version\": 5, \"percentage\": 10 },", StringComparison.Ordinal));

        var policy = body["policy"]!;
        Assert.Equal(3, (long?)policy["revision"]);
        Assert.Equal(10, (double?)policy["shadow"]!["percentage"]);
        Assert.Equal(("paused", 1), ((string?)policy["progress"]!["status"], (int?)policy["progress"]!["step_index"]));
    }

    [Fact]
    public async Task Put_InvalidPolicy_Returns400WithEveryValidatorMessage()
    {
        using var response = await SendAsync(HttpMethod.Put, "/admin/rollouts/fraud",
            """{ "model": "fraud", "mode": "canary", "canary": { "stable_version": 4, "canary_version": 4, "weight": 12.345 } }""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Contains("canary.canary_version 4 is the same as canary.stable_version; a canary must be a different version", error, StringComparison.Ordinal);
        Assert.Contains("canary.weight 12.345 is finer than the 0.01 resolution; round it to two decimals", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_ModelDiffersFromRoute_Returns400()
    {
        using var response = await SendAsync(HttpMethod.Put, "/admin/rollouts/credit-risk", CanaryPolicy);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("the policy's model 'fraud' is not the model of the route, 'credit-risk'", await ErrorOf(response));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("")]
    [InlineData("[1, 2]")]
    [InlineData("""{ "mode": "canary" }""")]
    [InlineData("""{ "model": "fraud", "mode": "sideways" }""")]
    public async Task Put_MalformedBody_Returns400(string json)
    {
        using var response = await SendAsync(HttpMethod.Put, "/admin/rollouts/fraud", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty(await ErrorOf(response));
    }

    [Fact]
    public async Task Put_BodyOverOneMebibyte_Returns413()
    {
        var json = CanaryPolicy.Replace("fraud v4: new features", new string('x', 1024 * 1024), StringComparison.Ordinal);

        using var response = await SendAsync(HttpMethod.Put, "/admin/rollouts/fraud", json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("exceeds 1048576 bytes", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetWeight_OnTheGrid_SetsWeightAndRecordsWhoWhenWhy()
    {
        await PutOkAsync(CanaryPolicy);
        _server.Time.Advance(TimeSpan.FromMinutes(5));

        var body = await PostOkAsync("/admin/rollouts/fraud/weight", """{ "weight": 12.34, "actor": "bob", "reason": "error rate flat" }""");

        var policy = body["policy"]!;
        Assert.Equal((12.34, 2L), ((double?)policy["canary"]!["weight"], (long?)policy["revision"]));
        Assert.Equal(("bob", "error rate flat"), ((string?)policy["updated_by"], (string?)policy["reason"]));
        Assert.Equal(RolloutTestServer.T0.AddMinutes(5), DateTimeOffset.Parse((string)policy["updated_at"]!, CultureInfo.InvariantCulture));
        Assert.Empty(_server.Actions.Calls);
    }

    [Theory]
    [InlineData("""{ "weight": 12.345 }""", "weight 12.345 is finer than the 0.01 resolution; round it to two decimals")]
    [InlineData("""{ "weight": 150 }""", "weight 150 is outside 0-100")]
    [InlineData("""{ "weight": -1 }""", "weight -1 is outside 0-100")]
    [InlineData("""{ "weight": "NaN" }""", "weight NaN is outside 0-100")]
    [InlineData("""{ "actor": "bob" }""", "weight is required")]
    [InlineData("""{ "wieght": 5 }""", "wieght")]
    [InlineData("""{ "weight": "five" }""", "invalid JSON body")]
    public async Task SetWeight_InvalidWeight_Returns400(string json, string expected)
    {
        await PutOkAsync(CanaryPolicy);

        using var response = await SendAsync(HttpMethod.Post, "/admin/rollouts/fraud/weight", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await ErrorOf(response), StringComparison.Ordinal);
        Assert.Equal(2.5, (double?)(await GetOkAsync("/admin/rollouts/fraud"))["policy"]!["canary"]!["weight"]);
    }

    [Fact]
    public async Task SetWeight_PositiveWithoutCanaryVersion_Returns400FromTheValidator()
    {
        // A promotion leaves the policy in mode canary with no canary version.
        await PutOkAsync("""{ "model": "fraud", "mode": "canary", "canary": { "stable_version": 3, "canary_version": 4, "weight": 0 }, "reason": "r" }""");
        using var promoted = await SendAsync(HttpMethod.Post, "/admin/rollouts/fraud/promote", Reason);
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);

        using var response = await SendAsync(HttpMethod.Post, "/admin/rollouts/fraud/weight", """{ "weight": 5, "reason": "r" }""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("canary.weight 5 needs canary.canary_version", await ErrorOf(response));
    }

    [Fact]
    public async Task SetWeight_BlueGreenPolicy_Returns409()
    {
        await PutOkAsync("""{ "model": "fraud", "mode": "blue_green", "blue_green": { "active_version": 2 }, "reason": "r" }""");

        using var response = await SendAsync(HttpMethod.Post, "/admin/rollouts/fraud/weight", """{ "weight": 5, "reason": "r" }""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("is in mode blue_green; a canary weight needs mode canary", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetWeight_PlanUnderWay_Returns409()
    {
        await PutOkAsync(PlanPolicy);
        await PostOkAsync("/admin/rollouts/fraud/start", Reason);

        using var response = await SendAsync(HttpMethod.Post, "/admin/rollouts/fraud/weight", """{ "weight": 5, "reason": "r" }""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("is under way (paused at step 2)", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_StartResumePauseResumeAbort_MoveThePlanAndHandOverActions()
    {
        await PutOkAsync(PlanPolicy);

        var started = (await PostOkAsync("/admin/rollouts/fraud/start", """{ "actor": "alice", "reason": "fraud v4" }"""))["policy"]!;
        Assert.Equal(("paused", 1, 10.0), Progress(started));
        Assert.Equal(("alice", "fraud v4"), ((string?)started["updated_by"], (string?)started["reason"]));

        _server.Time.Advance(TimeSpan.FromMinutes(1));
        var resumed = await PostOkAsync("/admin/rollouts/fraud/resume", """{ "actor": "bob", "reason": "step 2 looked fine" }""");
        Assert.Equal(("analyzing", 3, 50.0), Progress(resumed["policy"]!));
        Assert.Equal(["set_weight", "reset_analysis_window"], resumed["actions"]!.AsArray().Select(static a => (string?)a!["kind"]));
        Assert.Equal("step 4: analyzing every 300 s", (string?)resumed["policy"]!["progress"]!["reason"]);
        Assert.Equal("step 2 looked fine", (string?)resumed["policy"]!["reason"]);

        var paused = (await PostOkAsync("/admin/rollouts/fraud/pause", """{ "actor": "carol", "reason": "investigating p99" }"""))["policy"]!;
        Assert.Equal(("paused", 3, 50.0), Progress(paused));
        Assert.True((bool?)paused["progress"]!["paused_by_operator"]);

        var again = (await PostOkAsync("/admin/rollouts/fraud/resume", Reason))["policy"]!;
        Assert.Equal(("analyzing", 3, 50.0), Progress(again));
        Assert.Equal("anonymous", (string?)again["updated_by"]);

        var aborted = await PostOkAsync("/admin/rollouts/fraud/abort", """{ "actor": "oncall", "reason": "p99 doubled" }""");
        Assert.Equal(("aborted", 3, 0.0), Progress(aborted["policy"]!));
        Assert.Equal(("oncall", "p99 doubled"), ((string?)aborted["policy"]!["updated_by"], (string?)aborted["policy"]!["reason"]));

        var calls = _server.Actions.Calls.ToArray();
        Assert.Equal(4, calls.Length);
        var (policy, actions) = calls[^1];
        Assert.Equal(6, policy.Revision);
        Assert.Equal(
            [new RolloutAction(RolloutActionKind.SetWeight, 0), new RolloutAction(RolloutActionKind.RecordRollback, Message: "p99 doubled"), new RolloutAction(RolloutActionKind.SendAlert, Message: "p99 doubled")],
            actions.ToArray());
    }

    [Fact]
    public async Task Start_TwiceOrWithoutPlan_Returns409()
    {
        await PutOkAsync(PlanPolicy);
        await PostOkAsync("/admin/rollouts/fraud/start", Reason);
        await PutOkAsync(CanaryPolicy.Replace("\"fraud\"", "\"other\"", StringComparison.Ordinal), "other");

        using var twice = await SendAsync(HttpMethod.Post, "/admin/rollouts/fraud/start", Reason);
        using var noPlan = await SendAsync(HttpMethod.Post, "/admin/rollouts/other/start", Reason);

        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal("the rollout is already Paused at step 2; abort it before starting again", await ErrorOf(twice));
        Assert.Equal(HttpStatusCode.Conflict, noPlan.StatusCode);
        Assert.Equal("the rollout policy of 'other' has no plan to start; put a policy with a plan first", await ErrorOf(noPlan));
    }

    [Fact]
    public async Task Resume_NotPaused_Returns409()
    {
        await PutOkAsync(PlanPolicy);

        using var response = await SendAsync(HttpMethod.Post, "/admin/rollouts/fraud/resume", Reason);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("only a paused rollout can be resumed", await ErrorOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promote_ManualCanary_CanaryBecomesStableAndPromotionHandedOver()
    {
        await PutOkAsync(CanaryPolicy);

        var body = await PostOkAsync("/admin/rollouts/fraud/promote", """{ "actor": "alice", "reason": "clean for a week" }""");

        var canary = body["policy"]!["canary"]!;
        Assert.Equal((4, 0.0), ((int?)canary["stable_version"], (double?)canary["weight"]));
        Assert.Null(canary["canary_version"]);
        Assert.Equal("promoted", (string?)body["policy"]!["progress"]!["status"]);
        var (_, actions) = Assert.Single(_server.Actions.Calls);
        Assert.Equal([new RolloutAction(RolloutActionKind.PromoteCanary, Message: "clean for a week")], actions.ToArray());

        using var again = await SendAsync(HttpMethod.Post, "/admin/rollouts/fraud/promote", Reason);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task Command_UnknownModelOrUnknownField_Returns404Or400()
    {
        using var missing = await SendAsync(HttpMethod.Post, "/admin/rollouts/fraud/abort", """{ "reason": "x" }""");
        await PutOkAsync(CanaryPolicy);
        using var misspelt = await SendAsync(HttpMethod.Post, "/admin/rollouts/fraud/abort", """{ "reson": "x" }""");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, misspelt.StatusCode);
        Assert.Contains("reson", await ErrorOf(misspelt), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_StoredPolicy_RemovesItThen404()
    {
        await PutOkAsync(CanaryPolicy);

        using var deleted = await Client.DeleteAsync("/admin/rollouts/fraud?actor=alice&reason=done");
        using var again = await Client.DeleteAsync("/admin/rollouts/fraud?reason=again");
        using var get = await Client.GetAsync("/admin/rollouts/fraud");

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(1, (long?)(await BodyOf(deleted))["policy"]!["revision"]);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Delete_StaleOrGarbledRevision_Returns409Or400()
    {
        await PutOkAsync(CanaryPolicy);
        await PostOkAsync("/admin/rollouts/fraud/weight", """{ "weight": 5, "reason": "r" }""");

        using var response = await Client.DeleteAsync("/admin/rollouts/fraud?revision=1&reason=r");
        using var garbled = await Client.DeleteAsync("/admin/rollouts/fraud?revision=one");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("is at revision 2, not 1", await ErrorOf(response), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, garbled.StatusCode);
        Assert.Equal("revision must be a non-negative integer, got 'one'", await ErrorOf(garbled));
    }

    [Fact]
    public async Task AnyRoute_TokenConfigured_RequiresTheBearerToken()
    {
        await using var secured = await RolloutTestServer.StartAsync(adminToken: "s3cret");
        using var none = await secured.Client.GetAsync("/admin/rollouts");
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/admin/rollouts/fraud/abort") { Content = Json("{}") };
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "guess");
        using var refused = await secured.Client.SendAsync(wrong);
        using var right = new HttpRequestMessage(HttpMethod.Get, "/admin/rollouts");
        right.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        using var allowed = await secured.Client.SendAsync(right);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("a valid admin bearer token is required", await ErrorOf(refused));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    private static (string? Status, int? Step, double? Weight) Progress(JsonNode policy) =>
        ((string?)policy["progress"]!["status"], (int?)policy["progress"]!["step_index"], (double?)policy["canary"]!["weight"]);

    private async Task<JsonNode> PutOkAsync(string json, string model = "fraud")
    {
        using var response = await SendAsync(HttpMethod.Put, "/admin/rollouts/" + model, json);
        var body = await BodyOf(response);
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return body;
    }

    private async Task<JsonNode> PostOkAsync(string path, string json)
    {
        using var response = await SendAsync(HttpMethod.Post, path, json);
        var body = await BodyOf(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        return body;
    }

    private async Task<JsonNode> GetOkAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var body = await BodyOf(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToJsonString());
        return body;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : Json(json) };
        return await Client.SendAsync(request);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonNode> BodyOf(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    private static async Task<string> ErrorOf(HttpResponseMessage response) =>
        (string)(await BodyOf(response))["error"]!;
}
