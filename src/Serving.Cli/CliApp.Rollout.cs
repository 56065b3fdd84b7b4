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

    /// <summary>Every rollout change says why (the audit trail records it): the usage error when <c>--reason</c> is missing or blank.</summary>
    private static int? NeedsReason(CommandContext context, string command) =>
        string.IsNullOrWhiteSpace(context.Args.Get("reason"))
            ? UsageError(context.Error, $"{command} needs --reason TEXT: every rollout change says why (it is recorded in the audit trail)")
            : null;
}
