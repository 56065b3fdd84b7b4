using System.Globalization;
using System.Text.Json.Nodes;

namespace Serving.Cli;

internal static partial class CliApp
{
    private static async Task<int> ListAsync(CommandContext context)
    {
        if (Expect(context, 0, "models list") is { } usage)
        {
            return usage;
        }

        var response = await context.Client.SendAsync(HttpMethod.Get, "/admin/models", null, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var body);
        if (code == ExitCodes.Ok && !context.Json)
        {
            PrintModelList(context.Output, body!);
        }

        return code;
    }

    private static async Task<int> ShowAsync(CommandContext context)
    {
        if (Expect(context, 1, "models show <model>") is { } usage)
        {
            return usage;
        }

        var response = await context.Client.SendAsync(HttpMethod.Get, ModelPath(context), null, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var body);
        if (code == ExitCodes.Ok && !context.Json)
        {
            PrintModel(context.Output, body!);
        }

        return code;
    }

    private static async Task<int> RegisterAsync(CommandContext context)
    {
        var args = context.Args;
        if (Expect(context, 1, "models register <model> --artifact <path>", "artifact", "version", "metrics", "tag", "sha256",
                "description", "features", "code-commit", "data-fingerprint", "reason") is { } usage)
        {
            return usage;
        }

        if (args.Get("artifact") is not { } artifact)
        {
            return UsageError(context.Error, "models register needs --artifact <path>");
        }

        var body = new JsonObject { ["artifact"] = artifact, ["actor"] = context.Actor };
        if (args.Get("version") is { } versionText)
        {
            if (!TryParseVersion(versionText, out var version))
            {
                return UsageError(context.Error, $"--version must be a positive integer, got '{versionText}'");
            }

            body["version"] = version;
        }

        if (args.Get("metrics") is { } metricsText)
        {
            var metrics = new JsonObject();
            foreach (var pair in metricsText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var (name, value) = SplitPair(pair);
                if (name.Length == 0 || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                {
                    return UsageError(context.Error, $"--metrics expects name=number pairs separated by commas, got '{pair}'");
                }

                metrics[name] = number;
            }

            body["metrics"] = metrics;
        }

        if (args.GetAll("tag") is { Count: > 0 } tagValues)
        {
            var tags = new JsonObject();
            foreach (var tag in tagValues)
            {
                var (key, value) = SplitPair(tag);
                if (key.Length == 0 || value is null)
                {
                    return UsageError(context.Error, $"--tag expects key=value, got '{tag}'");
                }

                tags[key] = value;
            }

            body["tags"] = tags;
        }

        if (args.Get("features") is { } features)
        {
            var array = new JsonArray();
            foreach (var feature in features.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                array.Add(feature);
            }

            body["features"] = array;
        }

        AddIfPresent(body, "sha256", args.Get("sha256"));
        AddIfPresent(body, "description", args.Get("description"));
        AddIfPresent(body, "codeCommit", args.Get("code-commit"));
        AddIfPresent(body, "trainingDataFingerprint", args.Get("data-fingerprint"));
        AddIfPresent(body, "reason", args.Get("reason"));

        var response = await context.Client.SendAsync(HttpMethod.Post, ModelPath(context) + "/versions", body, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var result);
        if (code == ExitCodes.Ok && !context.Json)
        {
            context.Output.WriteLine(
                $"registered {Text(result!["model"])} v{Text(result["version"])} ({Text(result["artifact"])}, sha256 {Short(Text(result["sha256"]))}) in stage {Text(result["stage"])}");
        }

        return code;
    }

    private static async Task<int> PromoteAsync(CommandContext context)
    {
        var args = context.Args;
        if (Expect(context, 2, "models promote <model> <version> --approver NAME --reason TEXT", "approver", "reason", "force", "force-reason") is { } usage)
        {
            return usage;
        }

        if (args.Get("approver") is null || args.Get("reason") is null)
        {
            return UsageError(context.Error, "models promote needs --approver NAME and --reason TEXT");
        }

        if (args.Has("force") && args.Get("force-reason") is null)
        {
            return UsageError(context.Error, "--force needs --force-reason TEXT");
        }

        if (!args.Has("force") && args.Get("force-reason") is not null)
        {
            return UsageError(context.Error, "--force-reason is only meaningful with --force");
        }

        var body = new JsonObject
        {
            ["stage"] = "Production",
            ["approver"] = args.Get("approver"),
            ["reason"] = args.Get("reason"),
            ["force"] = args.Has("force"),
        };
        AddIfPresent(body, "forceReason", args.Get("force-reason"));
        return await TransitionAsync(context, body).ConfigureAwait(false);
    }

    private static async Task<int> MoveAsync(CommandContext context, string stage)
    {
        var verb = stage == "Staging" ? "stage" : "archive";
        if (Expect(context, 2, $"models {verb} <model> <version>", "reason") is { } usage)
        {
            return usage;
        }

        var body = new JsonObject { ["stage"] = stage, ["approver"] = context.Actor };
        AddIfPresent(body, "reason", context.Args.Get("reason"));
        return await TransitionAsync(context, body).ConfigureAwait(false);
    }

    private static async Task<int> TransitionAsync(CommandContext context, JsonObject body)
    {
        var versionText = context.Args.Positionals[3];
        if (!TryParseVersion(versionText, out var version))
        {
            return UsageError(context.Error, $"version must be a positive integer, got '{versionText}'");
        }

        var path = $"{ModelPath(context)}/versions/{version.ToString(CultureInfo.InvariantCulture)}/transition";
        var response = await context.Client.SendAsync(HttpMethod.Post, path, body, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var model);
        if (code == ExitCodes.Ok && !context.Json)
        {
            context.Output.WriteLine($"{Text(model!["name"])} v{version} is now {Text(body["stage"])} (revision {Text(model["revision"])})");
            PrintModel(context.Output, model);
        }

        return code;
    }

    private static async Task<int> RollbackAsync(CommandContext context)
    {
        if (Expect(context, 1, "models rollback <model> --reason TEXT", "reason") is { } usage)
        {
            return usage;
        }

        if (context.Args.Get("reason") is not { } reason)
        {
            return UsageError(context.Error, "models rollback needs --reason TEXT");
        }

        var body = new JsonObject { ["actor"] = context.Actor, ["reason"] = reason };
        var response = await context.Client.SendAsync(HttpMethod.Post, ModelPath(context) + "/rollback", body, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var model);
        if (code == ExitCodes.Ok && !context.Json)
        {
            context.Output.WriteLine($"rolled back {Text(model!["name"])}: v{Text(model["productionVersion"])} is Production (revision {Text(model["revision"])})");
        }

        return code;
    }

    private static async Task<int> AliasAsync(CommandContext context)
    {
        if (Expect(context, 3, "models alias <model> <alias> <version>", "reason") is { } usage)
        {
            return usage;
        }

        var alias = context.Args.Positionals[3];
        var versionText = context.Args.Positionals[4];
        if (!TryParseVersion(versionText, out var version))
        {
            return UsageError(context.Error, $"version must be a positive integer, got '{versionText}'");
        }

        var body = new JsonObject { ["version"] = version, ["actor"] = context.Actor };
        AddIfPresent(body, "reason", context.Args.Get("reason"));
        var response = await context.Client.SendAsync(HttpMethod.Put, $"{ModelPath(context)}/aliases/{AdminClient.Segment(alias)}", body, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var model);
        if (code == ExitCodes.Ok && !context.Json)
        {
            context.Output.WriteLine($"{Text(model!["name"])}: {alias} -> v{version}");
        }

        return code;
    }

    private static async Task<int> UnaliasAsync(CommandContext context)
    {
        if (Expect(context, 2, "models unalias <model> <alias>", "reason") is { } usage)
        {
            return usage;
        }

        var alias = context.Args.Positionals[3];
        var query = $"?actor={Uri.EscapeDataString(context.Actor)}";
        if (context.Args.Get("reason") is { } reason)
        {
            query += $"&reason={Uri.EscapeDataString(reason)}";
        }

        var response = await context.Client.SendAsync(HttpMethod.Delete, $"{ModelPath(context)}/aliases/{AdminClient.Segment(alias)}{query}", null, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var model);
        if (code == ExitCodes.Ok && !context.Json)
        {
            context.Output.WriteLine($"{Text(model!["name"])}: removed alias {alias}");
        }

        return code;
    }

    private static async Task<int> AuditAsync(CommandContext context)
    {
        if (Expect(context, 1, "models audit <model>") is { } usage)
        {
            return usage;
        }

        var response = await context.Client.SendAsync(HttpMethod.Get, ModelPath(context) + "/audit", null, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var body);
        if (code == ExitCodes.Ok && !context.Json)
        {
            PrintAudit(context.Output, body!);
        }

        return code;
    }

    /// <summary>Checks the positional count after <c>models &lt;command&gt;</c> and the options allowed.</summary>
    private static int? Expect(CommandContext context, int positionals, string shape, params string[] options)
    {
        var given = context.Args.Positionals.Count - 2;
        if (given != positionals)
        {
            return UsageError(context.Error, $"expected: servingctl {shape}");
        }

        if (context.Args.FirstUnexpected(options) is { } unexpected)
        {
            return UsageError(context.Error, $"{unexpected} does not apply to '{context.Args.Positionals[0]} {context.Args.Positionals[1]}'");
        }

        return null;
    }

    private static string ModelPath(CommandContext context) => "/admin/models/" + AdminClient.Segment(context.Args.Positionals[2]);

    private static bool TryParseVersion(string text, out int version) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0;

    private static (string Key, string? Value) SplitPair(string pair)
    {
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (pair.Trim(), null) : (pair[..equals].Trim(), pair[(equals + 1)..].Trim());
    }

    private static void AddIfPresent(JsonObject body, string name, string? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }
}
