using System.Text.Json.Serialization;
using Serving.Core.Drift;

namespace Serving.Gateway.Drift;

/// <summary>One closed (evaluated) window of a version: its span, rows and every alarm's numbers.</summary>
internal sealed record DriftHistoryWindow(
    [property: JsonPropertyName("start")] DateTimeOffset Start,
    [property: JsonPropertyName("end")] DateTimeOffset End,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("evaluated_at")] DateTimeOffset EvaluatedAt,
    [property: JsonPropertyName("columns")] IReadOnlyList<DriftHistoryColumn> Columns)
{
    public static DriftHistoryWindow From(DriftEvaluation evaluation)
    {
        var columns = new DriftHistoryColumn[evaluation.Columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            columns[i] = DriftHistoryColumn.From(evaluation.Columns[i]);
        }
        return new DriftHistoryWindow(evaluation.WindowStart, evaluation.WindowEnd, evaluation.RowCount, evaluation.EvaluatedAt, columns);
    }
}
