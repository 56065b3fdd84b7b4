using System.Globalization;
using System.Text.Json.Nodes;

namespace Serving.Cli;

internal static partial class CliApp
{
    private static Task<int> DispatchDriftAsync(string command, CommandContext context) => command switch
    {
        "status" => DriftStatusAsync(context),
        _ => Task.FromResult(UsageError(context.Error, $"unknown command 'drift {command}'")),
    };

    /// <summary>
    /// <c>drift status</c>: one table per version, a row per feature, worst first, so that on-call sees
    /// at a glance what moved, by how much and since when.
    /// </summary>
    private static async Task<int> DriftStatusAsync(CommandContext context)
    {
        if (Expect(context, 1, "drift status <model> [--version N] [--histograms]", "version", "histograms") is { } usage)
        {
            return usage;
        }
        var path = "/admin/drift/" + AdminClient.Segment(context.Args.Positionals[2]);
        if (context.Args.Get("version") is { } versionText)
        {
            if (!TryParseVersion(versionText, out var version))
            {
                return UsageError(context.Error, $"--version must be a positive integer, got '{versionText}'");
            }
            path += "/versions/" + version.ToString(CultureInfo.InvariantCulture);
        }
        var response = await context.Client.SendAsync(HttpMethod.Get, path, null, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var body);
        if (code == ExitCodes.Ok && !context.Json)
        {
            PrintDrift(context.Output, body!, context.Args.Has("histograms"));
        }
        return code;
    }

    private static void PrintDrift(TextWriter output, JsonNode body, bool histograms)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var version in body["versions"]!.AsArray())
        {
            var v = version!;
            output.Write($"model {body["model"]}  version {v["version"]}");
            if (!(bool)v["monitored"]!)
            {
                output.WriteLine("  not monitored (no reference profile)");
                continue;
            }
            var window = v["window"];
            if (window is null)
            {
                output.WriteLine($"  no window evaluated yet ({v["current_window_rows"]} rows in the open window)");
                continue;
            }
            output.WriteLine($"  last window {Timestamp(window["start"])} .. {Timestamp(window["end"])}, {window["rows"]} rows, correction {window["correction"]}");
            var columns = v["columns"]!.AsArray().Select(static c => c!).ToList();
            columns.Sort(static (a, b) => Rank(b).CompareTo(Rank(a)));
            var rows = new List<string[]>();
            foreach (var c in columns)
            {
                var state = (string)c["alarm_state"]!;
                var severity = (string)c["alarm_severity"]!;
                rows.Add([
                    (string)c["name"]!,
                    state is "firing" or "pending" ? $"{state.ToUpperInvariant()} ({severity})" : state,
                    Timestamp(c["alarm_since"]),
                    ((double)c["psi"]!).ToString("F3", inv),
                    ((double)c["ks_statistic"]!).ToString("F3", inv),
                    ((double)c["ks_pvalue_adjusted"]!).ToString("G3", inv),
                    ((string)c["verdict"]!).Replace('_', ' '),
                    c["live_rows"]!.ToString(),
                ]);
            }
            TableWriter.Write(output, ["FEATURE", "ALARM", "SINCE", "PSI", "KS D", "ADJ P", "VERDICT", "ROWS"], rows);
            if (histograms)
            {
                foreach (var c in columns)
                {
                    output.WriteLine($"  {c["name"]}: reference vs live share per reference decile bin");
                    var reference = c["reference_proportions"]!.AsArray();
                    var live = c["live_proportions"]!.AsArray();
                    for (var i = 0; i < reference.Count; i++)
                    {
                        var r = (double)reference[i]!;
                        var l = (double)live[i]!;
                        output.WriteLine($"    bin {i,2}  ref {r,6:P1} {new string('#', (int)Math.Round(r * 40))}");
                        output.WriteLine($"            live {l,6:P1} {new string('*', (int)Math.Round(l * 40))}");
                    }
                }
            }
            output.WriteLine();
        }
    }

    private static int Rank(JsonNode c) => (string)c["alarm_state"]! switch
    {
        "firing" => (string)c["alarm_severity"]! == "critical" ? 4 : 3,
        "pending" => 2,
        "resolved" => 1,
        _ => 0,
    };
}
