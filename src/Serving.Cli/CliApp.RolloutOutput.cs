using System.Globalization;
using System.Text.Json.Nodes;

namespace Serving.Cli;

/// <summary>How the rollout commands print a policy, its live numbers and the numbers in them.</summary>
internal static partial class CliApp
{
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

            if (analysis["experiment"] is { } experiment)
            {
                PrintExperiment(output, experiment);
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
}
