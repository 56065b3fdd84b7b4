using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serving.Cli;

internal static partial class CliApp
{
    private static readonly JsonDocumentOptions PolicyFileOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static Task<int> DispatchRolloutAsync(string command, CommandContext context) => command switch
    {
        "list" => RolloutListAsync(context),
        "status" => RolloutStatusAsync(context),
        "set" => RolloutSetAsync(context),
        "set-weight" => RolloutSetWeightAsync(context),
        "start" => RolloutStartAsync(context),
        "pause" or "resume" or "promote" or "abort" => RolloutCommandAsync(context, command),
        "delete" => RolloutDeleteAsync(context),
        _ => Task.FromResult(UsageError(context.Error, $"unknown command 'rollout {command}'")),
    };

    private static async Task<int> RolloutListAsync(CommandContext context)
    {
        if (Expect(context, 0, "rollout list") is { } usage)
        {
            return usage;
        }

        var response = await context.Client.SendAsync(HttpMethod.Get, "/admin/rollouts", null, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var body);
        if (code == ExitCodes.Ok && !context.Json)
        {
            var rows = new List<string[]>();
            foreach (var policy in body!["rollouts"]?.AsArray() ?? [])
            {
                var progress = policy!["progress"];
                rows.Add(
                [
                    Text(policy["model"]),
                    Text(policy["mode"]),
                    Split(policy),
                    policy["plan"] is null ? "-" : $"{StepOf(policy)} {(progress is null ? "not_started" : Text(progress["status"]))}",
                    Text(policy["revision"]),
                    Text(policy["updated_by"]),
                ]);
            }

            TableWriter.Write(context.Output, ["MODEL", "MODE", "SPLIT", "PLAN", "REVISION", "UPDATED BY"], rows);
        }

        return code;
    }

    private static async Task<int> RolloutStatusAsync(CommandContext context)
    {
        if (Expect(context, 1, "rollout status <model>") is { } usage)
        {
            return usage;
        }

        var response = await context.Client.SendAsync(HttpMethod.Get, RolloutPath(context), null, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var body);
        if (code == ExitCodes.Ok && !context.Json)
        {
            PrintRollout(context.Output, body!);
        }

        return code;
    }

    private static async Task<int> RolloutSetAsync(CommandContext context)
    {
        if (Expect(context, 1, "rollout set <model> --file POLICY.json --reason TEXT", "file", "reason") is { } usage)
        {
            return usage;
        }

        if (NeedsReason(context, "rollout set") is { } noReason)
        {
            return noReason;
        }

        if (context.Args.Get("file") is not { } file)
        {
            return UsageError(context.Error, "rollout set needs --file POLICY.json (the policy document of docs/rollouts.md)");
        }

        if (ReadJsonFile(context, file, out var node) is { } unreadable)
        {
            return unreadable;
        }

        if (node is not JsonObject policy)
        {
            return UsageError(context.Error, $"{file} must hold a JSON object: the rollout policy");
        }

        policy["model"] ??= context.Args.Positionals[2];
        policy["actor"] = context.Actor;
        policy["reason"] = context.Args.Get("reason");
        var response = await context.Client.SendAsync(HttpMethod.Put, RolloutPath(context), policy, default).ConfigureAwait(false);
        return PrintChange(context, response, "policy set");
    }

    private static async Task<int> RolloutSetWeightAsync(CommandContext context)
    {
        if (Expect(context, 2, "rollout set-weight <model> <weight> --reason TEXT", "reason") is { } usage)
        {
            return usage;
        }

        if (NeedsReason(context, "rollout set-weight") is { } noReason)
        {
            return noReason;
        }

        var text = context.Args.Positionals[3].TrimEnd('%');
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var weight) || !double.IsFinite(weight))
        {
            return UsageError(context.Error, $"weight must be a number of percent (0-100, steps of 0.01), got '{context.Args.Positionals[3]}'");
        }

        var body = new JsonObject { ["weight"] = weight, ["actor"] = context.Actor, ["reason"] = context.Args.Get("reason") };
        var response = await context.Client.SendAsync(HttpMethod.Post, RolloutPath(context) + "/weight", body, default).ConfigureAwait(false);
        return PrintChange(context, response, "canary weight set");
    }

    private static async Task<int> RolloutStartAsync(CommandContext context)
    {
        if (Expect(context, 1, "rollout start <model> [--plan PLAN.json] --reason TEXT", "plan", "reason") is { } usage)
        {
            return usage;
        }

        if (NeedsReason(context, "rollout start") is { } noReason)
        {
            return noReason;
        }

        if (context.Args.Get("plan") is { } file)
        {
            if (ReadJsonFile(context, file, out var node) is { } unreadable)
            {
                return unreadable;
            }

            // A plan file holds {"steps": [...]} or just the array of steps.
            JsonNode? plan = node switch
            {
                JsonArray steps => new JsonObject { ["steps"] = steps },
                JsonObject { } o when o.ContainsKey("steps") => o,
                _ => null,
            };
            if (plan is null)
            {
                return UsageError(context.Error, $"{file} must hold a plan: {{\"steps\": [...]}} or an array of steps");
            }

            if (await ReplacePlanAsync(context, plan).ConfigureAwait(false) is { } failed)
            {
                return failed;
            }
        }

        return await RolloutCommandAsync(context, "start").ConfigureAwait(false);
    }

    /// <summary>Puts <paramref name="plan"/> into the stored policy (compare-and-swap on the revision read), with fresh progress.</summary>
    private static async Task<int?> ReplacePlanAsync(CommandContext context, JsonNode plan)
    {
        var read = await context.Client.SendAsync(HttpMethod.Get, RolloutPath(context), null, default).ConfigureAwait(false);
        if (Outcome(context with { Json = false }, read, out var current) is var code && code != ExitCodes.Ok)
        {
            return code;
        }

        if (current!["policy"] is not JsonObject policy)
        {
            context.Error.WriteLine("error: the server's answer has no policy");
            return ExitCodes.ServerError;
        }

        if (Text(policy["progress"]?["status"]) is "progressing" or "paused" or "analyzing")
        {
            context.Error.WriteLine($"error: the rollout of {Text(policy["model"])} is under way ({StepOf(policy)} {Text(policy["progress"]!["status"])}); abort it before starting a new plan");
            return ExitCodes.Rejected;
        }

        policy["plan"] = plan.DeepClone();
        policy["progress"] = new JsonObject { ["status"] = "not_started" };
        policy["actor"] = context.Actor;
        policy["reason"] = context.Args.Get("reason");
        var write = await context.Client.SendAsync(HttpMethod.Put, RolloutPath(context), policy, default).ConfigureAwait(false);
        return Outcome(context with { Json = false }, write, out _) is var written && written != ExitCodes.Ok ? written : null;
    }

    private static async Task<int> RolloutCommandAsync(CommandContext context, string command)
    {
        if (Expect(context, 1, $"rollout {command} <model> --reason TEXT", command == "start" ? ["plan", "reason"] : ["reason"]) is { } usage)
        {
            return usage;
        }

        if (NeedsReason(context, "rollout " + command) is { } noReason)
        {
            return noReason;
        }

        var body = new JsonObject { ["actor"] = context.Actor, ["reason"] = context.Args.Get("reason") };
        var response = await context.Client.SendAsync(HttpMethod.Post, $"{RolloutPath(context)}/{command}", body, default).ConfigureAwait(false);
        var done = command switch
        {
            "start" => "started",
            "pause" => "paused",
            "resume" => "resumed",
            "promote" => "promoted",
            _ => "aborted",
        };
        return PrintChange(context, response, done);
    }

    private static async Task<int> RolloutDeleteAsync(CommandContext context)
    {
        if (Expect(context, 1, "rollout delete <model> --reason TEXT", "reason") is { } usage)
        {
            return usage;
        }

        if (NeedsReason(context, "rollout delete") is { } noReason)
        {
            return noReason;
        }

        var query = "?actor=" + Uri.EscapeDataString(context.Actor) + "&reason=" + Uri.EscapeDataString(context.Args.Get("reason")!);

        var response = await context.Client.SendAsync(HttpMethod.Delete, RolloutPath(context) + query, null, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var body);
        if (code == ExitCodes.Ok && !context.Json)
        {
            context.Output.WriteLine($"{Text(body!["policy"]?["model"])}: rollout policy deleted (was revision {Text(body["policy"]?["revision"])}); the Production version serves every request");
        }

        return code;
    }

    private static int PrintChange(CommandContext context, AdminResponse response, string done)
    {
        var code = Outcome(context, response, out var body);
        if (code == ExitCodes.Ok && !context.Json)
        {
            var policy = body!["policy"]!;
            context.Output.WriteLine($"{Text(policy["model"])}: {done} (revision {Text(policy["revision"])})");
            if (body["actions"] is JsonArray { Count: > 0 } actions)
            {
                context.Output.WriteLine("actions: " + string.Join(", ", actions.Select(static a => Action(a!))));
            }

            PrintRollout(context.Output, body);
        }

        return code;
    }

    private static void PrintRollout(TextWriter output, JsonNode body)
    {
        var policy = body["policy"]!;
        var mode = Text(policy["mode"]);
        output.WriteLine($"model {Text(policy["model"])}  revision {Text(policy["revision"])}  mode {(mode.Length == 0 ? "none" : mode)}  routing key header {(policy["routing_key_header"] is { } header ? Text(header) : "x-routing-key")}");
        if (policy["updated_by"] is not null || policy["updated_at"] is not null)
        {
            var reason = policy["reason"] is { } r ? ": " + Text(r) : "";
            output.WriteLine($"updated {Timestamp(policy["updated_at"])} by {Text(policy["updated_by"])}{reason}");
        }

        var rows = new List<string[]>();
        if (policy["canary"] is { } canary)
        {
            var weight = Number(canary["weight"]);
            rows.Add(["stable", "v" + Text(canary["stable_version"]), Percent(100 - weight)]);
            if (canary["canary_version"] is { } canaryVersion)
            {
                rows.Add(["canary", "v" + Text(canaryVersion), Percent(weight)]);
            }
        }
        else if (policy["blue_green"] is { } blueGreen)
        {
            rows.Add(["active", "v" + Text(blueGreen["active_version"]), "all"]);
            if (blueGreen["preview_version"] is { } preview)
            {
                rows.Add(["preview", "v" + Text(preview), $"requests with {(blueGreen["preview_header"] is { } h ? Text(h) : "x-preview")}: true"]);
            }
        }
        else
        {
            rows.Add(["default", "production", "all"]);
        }

        if (policy["shadow"] is { } shadow)
        {
            rows.Add(["shadow", "v" + Text(shadow["version"]),
                $"{Percent(Number(shadow["percentage"]))} copied (decision threshold {(shadow["decision_threshold"] is { } t ? Text(t) : "0.5")})"]);
        }

        TableWriter.Write(output, ["VARIANT", "VERSION", "TRAFFIC"], rows);
        if (policy["plan"] is not null)
        {
            var progress = policy["progress"];
            var status = progress is null ? "not_started" : Text(progress["status"]);
            var line = $"plan: {StepOf(policy)}, status {status}";
            if (progress?["step_started_at"] is { } since)
            {
                line += $", since {Timestamp(since)}";
            }

            if (status == "paused")
            {
                line += progress?["pause_until"] is { } until ? $", until {Timestamp(until)}" : ", until resumed";
            }

            if (status == "analyzing" && progress?["next_analysis_at"] is { } next)
            {
                line += $", next analysis {Timestamp(next)}";
            }

            output.WriteLine(line);
            if (progress?["reason"] is { } why)
            {
                output.WriteLine("  " + Text(why));
            }
        }

        if (body["status"] is { } live)
        {
            PrintLiveStatus(output, live);
        }
    }

    private static void PrintLiveStatus(TextWriter output, JsonNode live)
    {
        output.WriteLine();
        output.WriteLine($"live numbers since {Timestamp(live["window_started_at"])} (observed {Timestamp(live["observed_at"])})");
        var rows = new List<string[]>();
        foreach (var variant in live["variants"]?.AsArray() ?? [])
        {
            var p99 = Number(variant!["latency_p99_seconds"]);
            rows.Add(
            [
                Text(variant["variant"]),
                "v" + Text(variant["version"]),
                Text(variant["requests"]),
                Text(variant["errors"]),
                Ratio(Number(variant["error_rate"])),
                double.IsNaN(p99) ? "-" : (p99 * 1000).ToString("0.0", CultureInfo.InvariantCulture) + " ms",
            ]);
        }

        TableWriter.Write(output, ["VARIANT", "VERSION", "REQUESTS", "ERRORS", "ERROR RATE", "P99"], rows);
        if (live["shadow"] is { } shadow)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shadow: {Text(shadow["requests"])} requests, {Text(shadow["compared_values"])} values compared, agreement {Ratio(Number(shadow["agreement_rate"]))} ({Text(shadow["decision_flips"])} flips at {Text(shadow["decision_threshold"])}), mean |diff| {Number(shadow["mean_absolute_difference"]):G4}, max {Number(shadow["max_absolute_difference"]):G4}, errors {Text(shadow["errors"])}, timeouts {Text(shadow["timeouts"])}, drops {Text(shadow["drops"])}"));
        }

        if (live["last_analysis"] is { } analysis)
        {
            output.WriteLine($"last analysis {Timestamp(live["last_analysis_at"])}: {Text(analysis["verdict"]).ToUpperInvariant()}: {Text(analysis["reason"])}");
            var checks = new List<string[]>();
            foreach (var metric in analysis["metrics"]?.AsArray() ?? [])
            {
                checks.Add(
                [
                    Text(metric!["name"]),
                    Figure(Number(metric["stable"])),
                    Figure(Number(metric["canary"])),
                    Figure(Number(metric["observed"])),
                    Figure(Number(metric["limit"])),
                    metric["passed"] is JsonValue passed && passed.TryGetValue<bool>(out var ok) && ok ? "pass" : "FAIL",
                ]);
            }

            if (checks.Count > 0)
            {
                TableWriter.Write(output, ["CHECK", "STABLE", "CANARY", "OBSERVED", "LIMIT", "RESULT"], checks);
            }
        }
    }

    /// <summary>"step 3/7 (analysis)", or "done (7 steps)" past the last step.</summary>
    private static string StepOf(JsonNode policy)
    {
        var steps = policy["plan"]?["steps"]?.AsArray() ?? [];
        var index = policy["progress"]?["step_index"] is JsonValue v && v.TryGetValue<int>(out var i) ? i : 0;
        return index < steps.Count
            ? string.Create(CultureInfo.InvariantCulture, $"step {index + 1}/{steps.Count} ({Text(steps[index]?["type"])})")
            : string.Create(CultureInfo.InvariantCulture, $"done ({steps.Count} steps)");
    }

    private static string Split(JsonNode policy)
    {
        if (policy["canary"] is { } canary)
        {
            return canary["canary_version"] is { } version
                ? $"v{Text(canary["stable_version"])} {Percent(100 - Number(canary["weight"]))} / v{Text(version)} {Percent(Number(canary["weight"]))}"
                : $"v{Text(canary["stable_version"])} 100%";
        }

        if (policy["blue_green"] is { } blueGreen)
        {
            return blueGreen["preview_version"] is { } preview
                ? $"active v{Text(blueGreen["active_version"])}, preview v{Text(preview)}"
                : $"active v{Text(blueGreen["active_version"])}";
        }

        return "production";
    }

    private static string Action(JsonNode action)
    {
        var kind = Text(action["kind"]);
        return kind == "set_weight" ? $"set_weight {Percent(Number(action["weight"]))}" : kind;
    }

    private static int? ReadJsonFile(CommandContext context, string path, out JsonNode? node)
    {
        node = null;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path), documentOptions: PolicyFileOptions);
            return null;
        }
        catch (IOException ex)
        {
            return UsageError(context.Error, $"cannot read {path}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            return UsageError(context.Error, $"cannot read {path}: {ex.Message}");
        }
        catch (JsonException ex)
        {
            return UsageError(context.Error, $"{path} is not valid JSON: {ex.Message}");
        }
    }

    private static string RolloutPath(CommandContext context) => "/admin/rollouts/" + AdminClient.Segment(context.Args.Positionals[2]);

    /// <summary>A JSON number, or NaN for "NaN", null or anything else.</summary>
    private static double Number(JsonNode? node) =>
        node is JsonValue value && (value.TryGetValue<double>(out var number)
            || (value.TryGetValue<string>(out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out number)))
            ? number
            : double.NaN;

    private static string Percent(double value) =>
        double.IsNaN(value) ? "-" : Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Ratio(double fraction) =>
        double.IsNaN(fraction) ? "-" : (fraction * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    private static string Figure(double value) =>
        double.IsNaN(value) ? "-" : value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>Every rollout change says why (the audit trail records it): the usage error when <c>--reason</c> is missing or blank.</summary>
    private static int? NeedsReason(CommandContext context, string command) =>
        string.IsNullOrWhiteSpace(context.Args.Get("reason"))
            ? UsageError(context.Error, $"{command} needs --reason TEXT: every rollout change says why (it is recorded in the audit trail)")
            : null;
}
