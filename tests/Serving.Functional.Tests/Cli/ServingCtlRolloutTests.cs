using System.Text.Json.Nodes;
using Serving.Cli;
using Serving.Core.Outcomes;
using Serving.Core.Rollouts;
using Serving.Functional.Tests.Admin;
using Serving.Gateway.Rollouts;

namespace Serving.Functional.Tests.Cli;

public sealed class ServingCtlRolloutTests : IAsyncLifetime
{
    private RolloutTestServer _server = null!;
    private string _files = null!;

    public async Task InitializeAsync()
    {
        _server = await RolloutTestServer.StartAsync();
        _files = Directory.CreateTempSubdirectory("servingctl-rollout-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_files, recursive: true);
    }

    [Theory]
    [InlineData("rollout")]
    [InlineData("rollout", "frobnicate", "fraud")]
    [InlineData("rollout", "status")]
    [InlineData("rollout", "status", "fraud", "--plan", "p.json")]
    [InlineData("rollout", "set", "fraud")]
    [InlineData("rollout", "set", "fraud", "--file", "/nonexistent/policy.json")]
    [InlineData("rollout", "set-weight", "fraud")]
    [InlineData("rollout", "set-weight", "fraud", "lots")]
    [InlineData("rollout", "abort", "fraud")]
    [InlineData("rollout", "promote", "fraud", "--reason", " ")]
    [InlineData("rollout", "pause", "fraud", "--force")]
    [InlineData("rollout", "pause", "fraud")]
    [InlineData("rollout", "resume", "fraud")]
    [InlineData("rollout", "start", "fraud")]
    [InlineData("rollout", "set-weight", "fraud", "5")]
    [InlineData("rollout", "set", "fraud", "--file", "/nonexistent/policy.json", "--reason", "")]
    [InlineData("rollout", "delete", "fraud")]
    public async Task RunAsync_BadRolloutCommandLine_ReturnsUsageErrorAndSendsNothing(params string[] args)
    {
        var (code, _, error) = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
        Assert.Empty(JsonNode.Parse((await RunAsync("--json", "rollout", "list")).Output)!["rollouts"]!.AsArray());
    }

    [Fact]
    public async Task RunAsync_SetThenStatus_PrintsSplitTable()
    {
        var file = WriteFile("policy.json", """
            // hand-written, with a comment
            { "mode": "canary", "canary": { "stable_version": 3, "canary_version": 4, "weight": 2.5 },
              "shadow": { "version": 5, "percentage": 10 }, }
            """);

        var set = await RunAsync("rollout", "set", "fraud", "--file", file, "--reason", "fraud v4");
        var status = await RunAsync("rollout", "status", "fraud");

        Assert.Equal(ExitCodes.Ok, set.Code);
        Assert.StartsWith("fraud: policy set (revision 1)", set.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, status.Code);
        var lines = Lines(status.Output);
        Assert.Equal("model fraud  revision 1  mode canary  routing key header x-routing-key", lines[0]);
        Assert.Equal("updated 2026-03-01 12:00:00Z by tester: fraud v4", lines[1]);
        Assert.Matches(@"^VARIANT\s+VERSION\s+TRAFFIC$", lines[2]);
        Assert.Matches(@"^stable\s+v3\s+97\.5%$", lines[3]);
        Assert.Matches(@"^canary\s+v4\s+2\.5%$", lines[4]);
        Assert.Matches(@"^shadow\s+v5\s+10% copied \(decision threshold 0\.5\)$", lines[5]);
    }

    [Fact]
    public async Task RunAsync_SetWeight_ChangesTheSplit()
    {
        await SetCanaryAsync();

        var weight = await RunAsync("rollout", "set-weight", "fraud", "25", "--reason", "flat error rate");
        var list = await RunAsync("rollout", "list");

        Assert.Equal(ExitCodes.Ok, weight.Code);
        Assert.StartsWith("fraud: canary weight set (revision 2)", weight.Output, StringComparison.Ordinal);
        Assert.Matches(@"^canary\s+v4\s+25%$", Lines(weight.Output).Single(static l => l.StartsWith("canary", StringComparison.Ordinal)));
        Assert.Matches(@"^fraud\s+canary\s+v3 75% / v4 25%\s+-\s+2\s+tester$", Lines(list.Output)[1]);
    }

    [Fact]
    public async Task RunAsync_WeightOffTheGrid_RejectedWithTheServersMessage()
    {
        await SetCanaryAsync();

        var (code, _, error) = await RunAsync("rollout", "set-weight", "fraud", "12.345", "--reason", "finer");

        Assert.Equal(ExitCodes.Rejected, code);
        Assert.Equal("error: weight 12.345 is finer than the 0.01 resolution; round it to two decimals (HTTP 400)", error.Trim());
    }

    [Fact]
    public async Task RunAsync_InvalidPolicyFile_RejectedWithTheValidatorsMessage()
    {
        var file = WriteFile("bad.json", """{ "mode": "canary", "canary": { "stable_version": 3, "canary_version": 3, "weight": 5 } }""");

        var (code, _, error) = await RunAsync("rollout", "set", "fraud", "--file", file, "--reason", "typo");

        Assert.Equal(ExitCodes.Rejected, code);
        Assert.Contains("canary.canary_version 3 is the same as canary.stable_version", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StartWithPlanPauseResumeAbort_DrivesThePlan()
    {
        await SetCanaryAsync();
        var plan = WriteFile("plan.json", """
            [ { "type": "set_weight", "weight": 10 }, { "type": "analysis", "interval_seconds": 300 }, { "type": "set_weight", "weight": 100 } ]
            """);

        var start = await RunAsync("rollout", "start", "fraud", "--plan", plan, "--reason", "fraud v4 plan");
        var pause = await RunAsync("rollout", "pause", "fraud", "--reason", "looking at p99");
        var status = await RunAsync("rollout", "status", "fraud");
        var resume = await RunAsync("rollout", "resume", "fraud", "--reason", "p99 is noise");
        var abort = await RunAsync("rollout", "abort", "fraud", "--reason", "p99 doubled");
        var resumeAgain = await RunAsync("rollout", "resume", "fraud", "--reason", "again");

        Assert.Equal(ExitCodes.Ok, start.Code);
        Assert.StartsWith("fraud: started (revision 3)", start.Output, StringComparison.Ordinal);
        Assert.Contains("actions: set_weight 10%, reset_analysis_window", start.Output, StringComparison.Ordinal);
        Assert.Contains("plan: step 2/3 (analysis), status analyzing, since 2026-03-01 12:00:00Z, next analysis 2026-03-01 12:05:00Z", start.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, pause.Code);
        Assert.Contains("plan: step 2/3 (analysis), status paused, since 2026-03-01 12:00:00Z, until resumed", status.Output, StringComparison.Ordinal);
        Assert.Contains("  step 2: looking at p99", status.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, resume.Code);
        Assert.Contains("status analyzing", resume.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, abort.Code);
        Assert.Contains("actions: set_weight 0%, record_rollback, send_alert", abort.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^canary\s+v4\s+0%$", abort.Output);
        Assert.Equal(ExitCodes.Rejected, resumeAgain.Code);
        Assert.Contains("only a paused rollout can be resumed", resumeAgain.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StartWithPlanWhileUnderWay_RejectedWithoutWriting()
    {
        await SetCanaryAsync();
        var plan = WriteFile("plan.json", """{ "steps": [ { "type": "set_weight", "weight": 10 }, { "type": "pause" } ] }""");
        await RunAsync("rollout", "start", "fraud", "--plan", plan, "--reason", "first");

        var (code, _, error) = await RunAsync("rollout", "start", "fraud", "--plan", plan, "--reason", "second");

        Assert.Equal(ExitCodes.Rejected, code);
        Assert.Contains("is under way (step 2/2 (pause) paused); abort it before starting a new plan", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_PromoteManualCanary_CanaryBecomesStable()
    {
        await SetCanaryAsync();

        var (code, output, _) = await RunAsync("rollout", "promote", "fraud", "--reason", "clean for a week");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("actions: promote_canary", output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^stable\s+v4\s+100%$", output);
    }

    [Fact]
    public async Task RunAsync_StatusWithJsonAndLiveNumbers_PrintsBoth()
    {
        await SetCanaryAsync();
        _server.Status.Statuses["fraud"] = new RolloutLiveStatus
        {
            ObservedAt = RolloutTestServer.T0.AddMinutes(5),
            WindowStartedAt = RolloutTestServer.T0,
            Variants =
            [
                new VariantLiveStatus { Variant = "stable", Version = 3, Requests = 1000, Errors = 10, LatencyP99Seconds = 0.012 },
                new VariantLiveStatus { Variant = "canary", Version = 4, Requests = 1000, Errors = 50, LatencyP99Seconds = 0.0135 },
            ],
            Shadow = new ShadowComparisonSnapshot { DecisionThreshold = 0.5, Requests = 200, ComparedValues = 200, DecisionFlips = 2, AgreementRate = 0.99, MeanAbsoluteDifference = 0.01, MaxAbsoluteDifference = 0.2 },
            LastAnalysis = AnalysisOutcome.Fail("error rate canary 5.00 % (50/1000) - stable 1.00 % (10/1000) = 4 pp > max 1 pp",
                [new AnalysisMetric("error_rate_increase", 0.01, 0.05, 0.04, 0.01, false, "error rate ...")]),
            LastAnalysisAt = RolloutTestServer.T0.AddMinutes(5),
        };

        var json = await RunAsync("--json", "rollout", "status", "fraud");
        var table = await RunAsync("rollout", "status", "fraud");

        Assert.Equal(1000, (long?)JsonNode.Parse(json.Output)!["status"]!["variants"]![1]!["requests"]);
        Assert.Contains("live numbers since 2026-03-01 12:00:00Z (observed 2026-03-01 12:05:00Z)", table.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^canary\s+v4\s+1000\s+50\s+5\.00%\s+13\.5 ms$", table.Output);
        Assert.Contains("shadow: 200 requests, 200 values compared, agreement 99.00% (2 flips at 0.5)", table.Output, StringComparison.Ordinal);
        Assert.Contains("last analysis 2026-03-01 12:05:00Z: FAIL: error rate canary 5.00 %", table.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^error_rate_increase\s+0\.01\s+0\.05\s+0\.04\s+0\.01\s+FAIL$", table.Output);
    }

    [Fact]
    public async Task RunAsync_StatusOfAnExperiment_PrintsArmsIntervalAndDecision()
    {
        await SetCanaryAsync();
        var step = RolloutStep.Experiment("log_loss", 0.05, TimeSpan.FromMinutes(1));
        _server.Status.Statuses["fraud"] = new RolloutLiveStatus
        {
            ObservedAt = RolloutTestServer.T0.AddMinutes(5),
            LastAnalysis = ExperimentAnalyzer.Evaluate(step,
                SampleMoments.FromSums(400, 0.30 * 400, (0.25 * 399) + (0.09 * 400)),
                SampleMoments.FromSums(380, 0.45 * 380, (0.25 * 379) + (0.2025 * 380))),
            LastAnalysisAt = RolloutTestServer.T0.AddMinutes(5),
        };

        var table = await RunAsync("rollout", "status", "fraud");

        Assert.Contains("last analysis 2026-03-01 12:05:00Z: FAIL: experiment log_loss: canary 0.45 (n 380) vs stable 0.3 (n 400), improvement -0.15", table.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^stable\s+400\s+0\.3$", table.Output);
        Assert.Matches(@"(?m)^canary\s+380\s+0\.45$", table.Output);
        Assert.Matches(@"(?m)^improvement -0\.15 \(lower log_loss is better\), 95% always-valid interval \[-0\.\d+, -0\.\d+\], p .+, margin 0: FAIL$", table.Output);
    }

    [Fact]
    public async Task RunAsync_ChangeWithoutReason_SaysSoAndLeavesThePolicy()
    {
        await SetCanaryAsync();

        var (code, _, error) = await RunAsync("rollout", "abort", "fraud");
        var status = await RunAsync("--json", "rollout", "status", "fraud");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("rollout abort needs --reason TEXT", error, StringComparison.Ordinal);
        Assert.Equal(1, (long?)JsonNode.Parse(status.Output)!["policy"]!["revision"]);
    }

    [Fact]
    public async Task RunAsync_Help_SaysEveryRolloutChangeNeedsAReason()
    {
        var (code, output, _) = await RunAsync("help");

        Assert.Equal(ExitCodes.Ok, code);
        foreach (var command in (string[])["set <model> --file POLICY.json", "set-weight <model> <weight>", "start <model> [--plan PLAN.json]", "pause <model>", "resume <model>", "promote <model>", "abort <model>", "delete <model>"])
        {
            Assert.Contains($"rollout {command} --reason TEXT", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunAsync_Delete_RemovesThePolicy()
    {
        await SetCanaryAsync();

        var deleted = await RunAsync("rollout", "delete", "fraud", "--reason", "done");
        var status = await RunAsync("rollout", "status", "fraud");

        Assert.Equal(ExitCodes.Ok, deleted.Code);
        Assert.StartsWith("fraud: rollout policy deleted (was revision 1)", deleted.Output, StringComparison.Ordinal);
        Assert.Equal((ExitCodes.Rejected, "error: no rollout policy for model 'fraud' (HTTP 404)"), (status.Code, status.Error.Trim()));
    }

    private async Task SetCanaryAsync()
    {
        var file = WriteFile("canary.json", """{ "mode": "canary", "canary": { "stable_version": 3, "canary_version": 4, "weight": 2.5 } }""");
        var (code, _, error) = await RunAsync("rollout", "set", "fraud", "--file", file, "--reason", "fraud v4");
        Assert.True(code == ExitCodes.Ok, error);
    }

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_files, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var url = _server.Address.ToString();
        var code = await CliApp.RunAsync(args, output, error, http: null, environment: name => name switch
        {
            "SERVING_URL" => url,
            "SERVING_ACTOR" => "tester",
            _ => null,
        });
        return (code, output.ToString(), error.ToString());
    }
}
