using System.Globalization;
using System.Text.Json.Nodes;

namespace Serving.Cli;

/// <summary>servingctl rollout status: the numbers of an experiment step.</summary>
internal static partial class CliApp
{
    /// <summary>An experiment look: each arm's size and mean, then the improvement with its always-valid interval and the decision.</summary>
    private static void PrintExperiment(TextWriter output, JsonNode experiment)
    {
        var metric = Text(experiment["metric"]);
        TableWriter.Write(output, ["ARM", "LABELLED", metric.ToUpperInvariant()],
        [
            ["stable", Text(experiment["stable_count"]), Figure(Number(experiment["stable_mean"]))],
            ["canary", Text(experiment["canary_count"]), Figure(Number(experiment["canary_mean"]))],
        ]);
        var alpha = Number(experiment["alpha"]);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"improvement {Figure(Number(experiment["effect"]))} ({(experiment["higher_is_better"] is JsonValue h && h.TryGetValue<bool>(out var higher) && higher ? "higher" : "lower")} {metric} is better), {100 * (1 - alpha):0.##}% always-valid interval [{Figure(Number(experiment["lower"]))}, {Figure(Number(experiment["upper"]))}], p {Figure(Number(experiment["p_value"]))}, margin {Figure(Number(experiment["non_inferiority_margin"]))}: {Text(experiment["decision"]).ToUpperInvariant()}"));
    }
}
