using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serving.Cli;

/// <summary>servingctl: parses the command line, calls the admin API, prints tables or JSON.</summary>
internal static partial class CliApp
{
    /// <summary>The gateway address used when neither <c>--url</c> nor <c>SERVING_URL</c> is set.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8000";

    private const string Usage = """
        usage: servingctl [--url URL] [--token TOKEN] [--actor NAME] [--json] models|rollout|drift|audit|performance <command>
               servingctl help | -h | --help | --version

          models list
          models show <model>
          models register <model> --artifact <path> [--version N] [--metrics auc=0.8,log_loss=0.4]
                          [--tag key=value]... [--sha256 HEX] [--description TEXT] [--features a,b,c]
                          [--code-commit SHA] [--data-fingerprint FP] [--reason TEXT]
          models promote <model> <version> --approver NAME --reason TEXT [--force --force-reason TEXT]
          models stage <model> <version> [--reason TEXT]
          models archive <model> <version> [--reason TEXT]
          models rollback <model> --reason TEXT
          models alias <model> <alias> <version> [--reason TEXT]
          models unalias <model> <alias> [--reason TEXT]
          models audit <model>
          rollout list
          rollout status <model>
          rollout set <model> --file POLICY.json --reason TEXT
          rollout set-weight <model> <weight> --reason TEXT
          rollout start <model> [--plan PLAN.json] --reason TEXT
          rollout pause <model> --reason TEXT
          rollout resume <model> --reason TEXT
          rollout promote <model> --reason TEXT
          rollout abort <model> --reason TEXT
          rollout delete <model> --reason TEXT
          drift status <model> [--version N] [--histograms]
          audit verify <model>
          performance <model>

        --url    gateway address (env SERVING_URL, default http://127.0.0.1:8000)
        --token  admin bearer token (env SERVING_TOKEN)
        --actor  who you are, recorded in the audit log (env SERVING_ACTOR, default the OS user)
        --json   print the server's JSON instead of tables
        --reason why; every rollout change needs one (recorded with --actor in the model's audit trail)

        exit codes: 0 ok, 1 usage error, 2 rejected by the server (4xx) or a broken audit trail,
                    3 server or connection error
        """;

    /// <summary>This build's version (the assembly's informational version, without the source revision).</summary>
    public static string Version { get; } =
        (typeof(CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            is [System.Reflection.AssemblyInformationalVersionAttribute { InformationalVersion: var v }, ..] ? v.Split('+')[0] : "unknown");

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Runs servingctl. <paramref name="http"/> is used when given (tests), else a client with a 30 s
    /// timeout; <paramref name="environment"/> replaces the process environment when given.
    /// </summary>
    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, HttpClient? http = null, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["--version"])
        {
            // Only alone: "--version N" is an option of "models register".
            output.WriteLine("servingctl " + Version);
            return ExitCodes.Ok;
        }

        environment ??= Environment.GetEnvironmentVariable;
        var parsed = CliArguments.Parse(args, out var parseError);
        if (parsed is null)
        {
            return UsageError(error, parseError!);
        }

        var help = parsed.Has("help") || parsed.Positionals is ["help", ..];
        if (help || parsed.Positionals.Count == 0)
        {
            output.WriteLine(Usage);
            return help ? ExitCodes.Ok : ExitCodes.Usage;
        }

        var group = parsed.Positionals[0];
        if (group is not ("models" or "rollout" or "drift" or "audit" or "performance") || parsed.Positionals.Count < 2)
        {
            return UsageError(error, group is "models" or "rollout" or "drift" or "audit" or "performance"
                ? $"missing {(group == "performance" ? "model" : "command")} after '{group}'"
                : $"unknown command '{group}'");
        }

        var url = parsed.Get("url") ?? NonEmpty(environment("SERVING_URL")) ?? DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return UsageError(error, $"--url must be an http(s) address, got '{url}'");
        }

        var token = parsed.Get("token") ?? NonEmpty(environment("SERVING_TOKEN"));
        var actor = parsed.Get("actor") ?? NonEmpty(environment("SERVING_ACTOR")) ?? Environment.UserName;
        var ownsHttp = http is null;
        http ??= new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            var context = new CommandContext(new AdminClient(http, url, token), parsed, actor, output, error, parsed.Has("json"));
            return group switch
            {
                "drift" => await DispatchDriftAsync(parsed.Positionals[1], context).ConfigureAwait(false),
                "rollout" => await DispatchRolloutAsync(parsed.Positionals[1], context).ConfigureAwait(false),
                "audit" => await DispatchAuditAsync(parsed.Positionals[1], context).ConfigureAwait(false),
                "performance" => await PerformanceAsync(context).ConfigureAwait(false),
                _ => await DispatchAsync(parsed.Positionals[1], context).ConfigureAwait(false),
            };
        }
        catch (HttpRequestException ex)
        {
            error.WriteLine($"error: cannot reach {url}: {ex.Message}");
            return ExitCodes.ServerError;
        }
        catch (TaskCanceledException)
        {
            error.WriteLine($"error: {url} did not answer in time");
            return ExitCodes.ServerError;
        }
        finally
        {
            if (ownsHttp)
            {
                http.Dispose();
            }
        }
    }

    private static Task<int> DispatchAsync(string command, CommandContext context) => command switch
    {
        "list" => ListAsync(context),
        "show" => ShowAsync(context),
        "register" => RegisterAsync(context),
        "promote" => PromoteAsync(context),
        "stage" => MoveAsync(context, "Staging"),
        "archive" => MoveAsync(context, "Archived"),
        "rollback" => RollbackAsync(context),
        "alias" => AliasAsync(context),
        "unalias" => UnaliasAsync(context),
        "audit" => AuditAsync(context),
        _ => Task.FromResult(UsageError(context.Error, $"unknown command 'models {command}'")),
    };

    private static int UsageError(TextWriter error, string message)
    {
        error.WriteLine($"error: {message}");
        error.WriteLine("run 'servingctl --help' for usage");
        return ExitCodes.Usage;
    }

    /// <summary>Prints a failed response and maps it to an exit code; on success prints JSON when asked.</summary>
    private static int Outcome(CommandContext context, AdminResponse response, out JsonNode? body)
    {
        body = null;
        JsonNode? parsed = null;
        try
        {
            parsed = string.IsNullOrWhiteSpace(response.Body) ? null : JsonNode.Parse(response.Body);
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's error page, say): reported below with the status.
        }

        if (!response.IsSuccess)
        {
            var message = parsed is JsonObject o && o["error"] is JsonValue v && v.TryGetValue<string>(out var text)
                ? text
                : response.Body.Length > 0 ? response.Body : response.Status.ToString();
            context.Error.WriteLine($"error: {message} (HTTP {(int)response.Status})");
            return (int)response.Status is >= 400 and < 500 ? ExitCodes.Rejected : ExitCodes.ServerError;
        }

        if (parsed is null)
        {
            context.Error.WriteLine($"error: the server answered HTTP {(int)response.Status} without a JSON body");
            return ExitCodes.ServerError;
        }

        if (context.Json)
        {
            context.Output.WriteLine(parsed.ToJsonString(Indented));
        }

        body = parsed;
        return ExitCodes.Ok;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private sealed record CommandContext(AdminClient Client, CliArguments Args, string Actor, TextWriter Output, TextWriter Error, bool Json);
}
