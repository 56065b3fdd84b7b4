using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serving.Cli;

internal static partial class CliApp
{
    private static void PrintModelList(TextWriter output, JsonNode body)
    {
        var rows = new List<string[]>();
        foreach (var model in body["models"]?.AsArray() ?? [])
        {
            rows.Add(
            [
                Text(model!["name"]),
                model["productionVersion"] is { } production ? "v" + Text(production) : "-",
                (model["versions"]?.AsArray().Count ?? 0).ToString(CultureInfo.InvariantCulture),
                Aliases(model["aliases"]),
                Text(model["revision"]),
            ]);
        }

        TableWriter.Write(output, ["MODEL", "PRODUCTION", "VERSIONS", "ALIASES", "REVISION"], rows);
    }

    private static void PrintModel(TextWriter output, JsonNode model)
    {
        output.WriteLine($"model {Text(model["name"])}  revision {Text(model["revision"])}  production {(model["productionVersion"] is { } p ? "v" + Text(p) : "-")}");
        var rows = new List<string[]>();
        foreach (var version in model["versions"]?.AsArray() ?? [])
        {
            rows.Add(
            [
                "v" + Text(version!["version"]),
                Text(version["stage"]),
                Timestamp(version["created"]),
                Short(Text(version["sha256"])),
                Metrics(version["metrics"]),
                string.Join(',', (version["aliases"]?.AsArray() ?? []).Select(static a => Text(a))),
                Text(version["artifact"]),
            ]);
        }

        TableWriter.Write(output, ["VERSION", "STAGE", "CREATED", "SHA256", "METRICS", "ALIASES", "ARTIFACT"], rows);
    }

    private static void PrintAudit(TextWriter output, JsonNode body)
    {
        var rows = new List<string[]>();
        foreach (var entry in body["entries"]?.AsArray() ?? [])
        {
            var change = new StringBuilder();
            if (entry!["alias"] is { } alias)
            {
                change.Append(Text(alias)).Append(": ");
            }

            change.Append(entry["before"] is { } before ? Text(before) : "-").Append(" -> ").Append(entry["after"] is { } after ? Text(after) : "-");
            var reason = entry["reason"] is { } r ? Text(r) : "";
            if (entry["forced"] is JsonValue forced && forced.TryGetValue<bool>(out var isForced) && isForced)
            {
                reason += $" [forced: {Text(entry["forceReason"])}]";
            }

            rows.Add(
            [
                Timestamp(entry["timestamp"]),
                Text(entry["revision"]),
                Text(entry["actor"]),
                Text(entry["action"]),
                entry["version"] is { } v ? "v" + Text(v) : "-",
                change.ToString(),
                reason.Trim(),
            ]);
        }

        TableWriter.Write(output, ["TIME", "REV", "ACTOR", "ACTION", "VERSION", "CHANGE", "REASON"], rows);
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static string Timestamp(JsonNode? node) =>
        DateTimeOffset.TryParse(Text(node), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : Text(node);

    private static string Short(string sha256) => sha256.Length > 12 ? sha256[..12] : sha256;

    private static string Metrics(JsonNode? metrics)
    {
        if (metrics is not JsonObject o || o.Count == 0)
        {
            return "-";
        }

        return string.Join(' ', o.Select(static m => $"{m.Key}={Text(m.Value)}"));
    }

    private static string Aliases(JsonNode? aliases)
    {
        if (aliases is not JsonObject o || o.Count == 0)
        {
            return "-";
        }

        return string.Join(',', o.Select(static a => $"{a.Key}=v{Text(a.Value)}"));
    }

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
}
