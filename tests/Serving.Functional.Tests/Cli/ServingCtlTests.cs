using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Serving.Cli;
using Serving.Functional.Tests.Admin;

namespace Serving.Functional.Tests.Cli;

public sealed class ServingCtlTests : IAsyncLifetime
{
    private AdminTestServer _server = null!;

    public async Task InitializeAsync() => _server = await AdminTestServer.StartAsync(prepareRepository: static repository =>
    {
        AdminTestServer.WriteVersion(repository, "credit-risk", 1, "v1", """{ "metrics": { "auc": 0.70 } }""");
        AdminTestServer.WriteVersion(repository, "credit-risk", 2, "v2", """{ "metrics": { "auc": 0.78 } }""");
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task RunAsync_NoArguments_PrintsUsageAndReturnsUsageError()
    {
        var (code, output, _) = await RunRawAsync([]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("usage: servingctl", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("help")]
    [InlineData("-h")]
    [InlineData("--help")]
    [InlineData("models", "--help")]
    public async Task RunAsync_AskedForHelp_PrintsUsageAndSucceeds(params string[] args)
    {
        var (code, output, _) = await RunRawAsync(args);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("usage: servingctl", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Version_PrintsTheAssemblyVersion()
    {
        var (code, output, _) = await RunRawAsync(["--version"]);

        Assert.Equal(ExitCodes.Ok, code);
        var expected = typeof(CliApp).Assembly.GetName().Version!;
        Assert.Equal($"servingctl {expected.Major}.{expected.Minor}.{expected.Build}", output.Trim());
    }

    [Theory]
    [InlineData("models", "list", "--bogus")]
    [InlineData("models", "frobnicate")]
    [InlineData("models", "show")]
    [InlineData("models", "promote", "credit-risk", "2", "--reason", "x")]
    [InlineData("models", "promote", "credit-risk", "two", "--approver", "a", "--reason", "x")]
    [InlineData("models", "promote", "credit-risk", "2", "--approver", "a", "--reason", "x", "--force")]
    [InlineData("models", "register", "credit-risk", "--artifact", "a/1/model.onnx", "--metrics", "auc=high")]
    [InlineData("models", "register", "credit-risk", "--artifact", "a/1/model.onnx", "--version", "0")]
    [InlineData("models", "rollback", "credit-risk")]
    [InlineData("models", "stage", "credit-risk", "1", "--force")]
    public async Task RunAsync_BadCommandLine_ReturnsUsageError(params string[] args)
    {
        var (code, _, error) = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_List_PrintsTable()
    {
        var (code, output, _) = await RunAsync("models", "list");

        Assert.Equal(ExitCodes.Ok, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("MODEL", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^credit-risk\s+v2\s+2\s+-\s+1$", lines[1].TrimEnd());
    }

    [Fact]
    public async Task RunAsync_ShowWithJson_PrintsTheServerJson()
    {
        var (code, output, _) = await RunAsync("--json", "models", "show", "credit-risk");

        Assert.Equal(ExitCodes.Ok, code);
        var model = JsonNode.Parse(output)!;
        Assert.Equal(2, (int?)model["productionVersion"]);
    }

    [Fact]
    public async Task RunAsync_RegisterStagePromoteAliasAuditRollback_Succeeds()
    {
        AdminTestServer.WriteVersion(_server.Repository, "credit-risk", 3, "v3");

        var register = await RunAsync("models", "register", "credit-risk", "--artifact", "credit-risk/3/model.onnx",
            "--metrics", "auc=0.785,log_loss=0.5", "--tag", "owner=risk-team", "--tag", "framework=numpy", "--reason", "november retrain");
        var stage = await RunAsync("models", "stage", "credit-risk", "3");
        var promote = await RunAsync("models", "promote", "credit-risk", "3", "--approver", "alice", "--reason", "better auc");
        var alias = await RunAsync("models", "alias", "credit-risk", "champion", "3");
        var rollback = await RunAsync("models", "rollback", "credit-risk", "--reason", "p99 doubled");
        var audit = await RunAsync("models", "audit", "credit-risk");
        var show = await RunAsync("--json", "models", "show", "credit-risk");

        Assert.Equal((ExitCodes.Ok, "registered credit-risk v3 (credit-risk/3/model.onnx, sha256 " + "e0d2747b9ab7" /* sha256sum of "v3" */ + ") in stage None"),
            (register.Code, register.Output.Trim()));
        Assert.Equal(ExitCodes.Ok, stage.Code);
        Assert.Equal(ExitCodes.Ok, promote.Code);
        Assert.StartsWith("credit-risk v3 is now Production", promote.Output, StringComparison.Ordinal);
        Assert.Equal((ExitCodes.Ok, "credit-risk: champion -> v3"), (alias.Code, alias.Output.Trim()));
        Assert.Contains("v2 is Production", rollback.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, audit.Code);
        Assert.Contains("tester", audit.Output, StringComparison.Ordinal);
        Assert.Contains("champion: - -> 3", audit.Output, StringComparison.Ordinal);
        Assert.Contains("p99 doubled", audit.Output, StringComparison.Ordinal);
        var model = JsonNode.Parse(show.Output)!;
        var v3 = model["versions"]![2]!;
        Assert.Equal(("Archived", 0.785, "numpy"), ((string?)v3["stage"], (double?)v3["metrics"]!["auc"], (string?)v3["tags"]!["framework"]));
    }

    [Fact]
    public async Task RunAsync_PromotionRefusedByGate_ReturnsRejectedWithNumbers()
    {
        // Seeded v1 is in Staging already.
        var (code, _, error) = await RunAsync("models", "promote", "credit-risk", "1", "--approver", "alice", "--reason", "retry");

        Assert.Equal(ExitCodes.Rejected, code);
        Assert.Contains("auc 0.7 vs production 0.78", error, StringComparison.Ordinal);
        Assert.Contains("(HTTP 422)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ForcedPromotion_Succeeds()
    {
        var (code, _, error) = await RunAsync("models", "promote", "credit-risk", "1", "--approver", "alice", "--reason", "retry",
            "--force", "--force-reason", "v2 leaks PII");

        Assert.True(code == ExitCodes.Ok, error);
    }

    [Fact]
    public async Task RunAsync_UnknownModel_ReturnsRejected()
    {
        var (code, _, error) = await RunAsync("models", "show", "nope");

        Assert.Equal(ExitCodes.Rejected, code);
        Assert.Equal("error: model 'nope' not found (HTTP 404)", error.Trim());
    }

    [Fact]
    public async Task RunAsync_ServerFault_ReturnsServerError()
    {
        File.WriteAllText(Path.Combine(_server.Root, "state", "registry", "broken.json"), "{ not json");

        var (code, _, error) = await RunAsync("models", "show", "broken");

        Assert.Equal(ExitCodes.ServerError, code);
        Assert.StartsWith("error: the store is unavailable, nothing was changed; retry later: registry document ", error, StringComparison.Ordinal);
        Assert.Contains("broken.json is corrupt", error, StringComparison.Ordinal);
        Assert.EndsWith("(HTTP 503)", error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NothingListening_ReturnsServerError()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (code, _, error) = await RunRawAsync(["--url", $"http://127.0.0.1:{port}", "models", "list"]);

        Assert.Equal(ExitCodes.ServerError, code);
        Assert.Contains("cannot reach", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UrlAndTokenFromEnvironment_Authenticate()
    {
        await using var secured = await AdminTestServer.StartAsync(adminToken: "s3cret");
        var withToken = Environment(secured.Address, "s3cret");
        var withoutToken = Environment(secured.Address, null);

        var ok = await RunRawAsync(["models", "list"], withToken);
        var refused = await RunRawAsync(["models", "list"], withoutToken);
        var overridden = await RunRawAsync(["--token", "wrong", "models", "list"], withToken);

        Assert.Equal(ExitCodes.Ok, ok.Code);
        Assert.Equal(ExitCodes.Rejected, refused.Code);
        Assert.Contains("HTTP 401", refused.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Rejected, overridden.Code);
    }

    [Fact]
    public async Task RunAsync_AuditVerify_IntactThenTamperedNamesTheEntry()
    {
        var intact = await RunAsync("audit", "verify", "credit-risk");
        var path = Path.Combine(_server.Root, "state", "audit", "credit-risk.jsonl");
        var lines = await File.ReadAllLinesAsync(path);
        lines[0] = lines[0].Replace("\"seed\"", "\"mallory\"", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(path, lines);
        var broken = await RunAsync("audit", "verify", "credit-risk");
        var json = JsonNode.Parse((await RunAsync("--json", "audit", "verify", "credit-risk")).Output)!;

        Assert.Equal((ExitCodes.Ok, "audit trail of credit-risk: 2 entries, chain intact"), (intact.Code, intact.Output.Trim()));
        Assert.Equal(ExitCodes.Rejected, broken.Code);
        Assert.StartsWith("audit trail of credit-risk is BROKEN at entry 1 of 2: entry 1 was changed after it was written", broken.Output, StringComparison.Ordinal);
        Assert.Equal((false, 2, 1), (json["valid"]!.GetValue<bool>(), json["entries"]!.GetValue<int>(), json["firstBroken"]!.GetValue<int>()));
    }

    [Fact]
    public async Task RunAsync_AuditVerify_NewestEntryRemoved_SaysExpectedAgainstFound()
    {
        var path = Path.Combine(_server.Root, "state", "audit", "credit-risk.jsonl");
        var lines = await File.ReadAllLinesAsync(path);
        await File.WriteAllLinesAsync(path, lines[..^1]);

        var broken = await RunAsync("audit", "verify", "credit-risk");
        var json = JsonNode.Parse((await RunAsync("--json", "audit", "verify", "credit-risk")).Output)!;

        Assert.Equal(ExitCodes.Rejected, broken.Code);
        Assert.Equal(
            "audit trail of credit-risk is BROKEN expected 2 entries, found 1: the trail was truncated: its head record says 2 entries, found 1; the newest entry (2) was removed",
            broken.Output.Trim());
        Assert.Equal((false, 1, 2, 2), (json["valid"]!.GetValue<bool>(), json["entries"]!.GetValue<int>(), json["firstBroken"]!.GetValue<int>(), json["expectedEntries"]!.GetValue<int>()));
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] args) =>
        RunRawAsync(args, Environment(_server.Address, null));

    private static Func<string, string?> Environment(Uri url, string? token) => name => name switch
    {
        "SERVING_URL" => url.ToString(),
        "SERVING_TOKEN" => token,
        "SERVING_ACTOR" => "tester",
        _ => null,
    };

    private static async Task<(int Code, string Output, string Error)> RunRawAsync(string[] args, Func<string, string?>? environment = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, http: null, environment: environment ?? (static _ => null));
        return (code, output.ToString(), error.ToString());
    }
}
