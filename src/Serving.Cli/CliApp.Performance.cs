using System.Globalization;
using System.Text.Json.Nodes;

namespace Serving.Cli;

internal static partial class CliApp
{
    /// <summary>
    /// <c>performance &lt;model&gt;</c>: a row per version, variant and metric — the online value on the labelled
    /// window with its 95 % interval, the offline value from the version's metadata and the label-free estimate.
    /// </summary>
    private static async Task<int> PerformanceAsync(CommandContext context)
    {
        if (Expect(context, 0, "performance <model>") is { } usage)
        {
            return usage;
        }
        var path = "/admin/performance/" + AdminClient.Segment(context.Args.Positionals[1]);
        var response = await context.Client.SendAsync(HttpMethod.Get, path, null, default).ConfigureAwait(false);
        var code = Outcome(context, response, out var body);
        if (code == ExitCodes.Ok && !context.Json)
        {
            PrintPerformance(context.Output, body!);
        }
        return code;
    }

    private static void PrintPerformance(TextWriter output, JsonNode body)
    {
        var threshold = body["threshold"] is { } t ? $", threshold {Figure(t)}" : "";
        output.WriteLine($"model {body["model"]}  {body["kind"]}{threshold}, window {body["window"]}");
        var rows = new List<string[]>();
        foreach (var version in body["versions"]!.AsArray())
        {
            var v = version!;
            foreach (var metric in v["metrics"]!.AsArray())
            {
                var m = metric!;
                var interval = m["lower"] is { } lower && m["upper"] is { } upper ? $"[{Figure(lower)}, {Figure(upper)}]" : "-";
                rows.Add([
                    (string)v["version"]!, (string)v["variant"]!, v["labelled"]!.ToString(), (string)m["name"]!,
                    Figure(m["value"]), interval, Figure(m["offline"]), Figure(m["estimated"]),
                ]);
            }
        }
        if (rows.Count == 0)
        {
            output.WriteLine("no predictions logged yet");
            return;
        }
        TableWriter.Write(output, ["VERSION", "VARIANT", "LABELLED", "METRIC", "ONLINE", "95% INTERVAL", "OFFLINE", "ESTIMATED"], rows);
    }

    private static string Figure(JsonNode? node) => node is null ? "-" : ((double)node).ToString("0.####", CultureInfo.InvariantCulture);
}
