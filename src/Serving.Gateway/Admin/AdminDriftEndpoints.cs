using System.Globalization;
using Microsoft.AspNetCore.Http;
using Serving.Core.Drift;
using Serving.Gateway.ConceptDrift;
using Serving.Gateway.Drift;
using Serving.Gateway.Inference;
using Serving.Gateway.Protocol;

namespace Serving.Gateway.Admin;

/// <summary>
/// <c>GET /admin/drift/{model}[/versions/{v}][?history=N]</c>: what on-call reads when a drift alert fires:
/// per version the last judged window and, with <c>history</c>, the last N closed windows (oldest first), and the
/// version's concept-drift alarm (<c>concept_drift</c>, once labelled predictions arrived).
/// </summary>
internal static class AdminDriftEndpoints
{
    public static IEndpointRouteBuilder MapAdminDrift(this IEndpointRouteBuilder app)
    {
        var drift = app.MapGroup("/admin/drift").AddEndpointFilter<AdminAuthFilter>();
        drift.MapGet("/{model}", static (string model, int? history, ModelHost host, ConceptDriftMonitor concept) =>
            Status(host, concept, model, null, history ?? 0));
        drift.MapGet("/{model}/versions/{version}", static (string model, string version, int? history, ModelHost host, ConceptDriftMonitor concept) =>
            Status(host, concept, model, version, history ?? 0));
        return app;
    }

    private static IResult Status(ModelHost host, ConceptDriftMonitor concept, string model, string? versionText, int history)
    {
        if (history < 0)
        {
            return ProtocolErrors.Result(StatusCodes.Status400BadRequest, "history must be a number of windows, 0 or more.");
        }
        if (!host.Catalog.TryGetModel(model, out var entry))
        {
            return ProtocolErrors.Result(StatusCodes.Status404NotFound, $"Unknown model '{model}'.");
        }
        int? only = null;
        if (versionText is not null)
        {
            if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || entry.Find(number) is null)
            {
                return ProtocolErrors.Result(StatusCodes.Status404NotFound, $"Model '{model}' has no loaded version '{versionText}'.");
            }
            only = number;
        }
        var versions = new List<VersionDriftStatus>();
        var outcomes = concept.Status(entry.Name);
        foreach (var version in entry.Versions)
        {
            if (only is { } n && version.Version != n)
            {
                continue;
            }
            versions.Add(Describe(version, history) with { ConceptDrift = outcomes.GetValueOrDefault(version.VersionText) });
        }
        return Results.Json(new DriftStatusResponse(entry.Name, versions), DriftJsonContext.Default.DriftStatusResponse);
    }

    private static VersionDriftStatus Describe(LoadedVersion version, int historyCount)
    {
        if (version.Drift is not { } monitor)
        {
            return version.DriftUnavailable is { } reason
                ? new VersionDriftStatus(version.VersionText, "unavailable", reason, false, 0, null, 0, null, null, [], [])
                : new VersionDriftStatus(version.VersionText, "not_monitored", null, false, 0, null, 0, null, null, [], []);
        }
        var t = monitor.Thresholds;
        var thresholds = new DriftThresholdsStatus(
            t.PsiWarning, t.PsiCritical, t.KsPValue, monitor.Evaluator.MinimumRows(t), t.FireAfter, t.FireWindow, t.ResolveAfter,
            t.MissingRateWarning, t.MissingRateCritical);
        var all = monitor.History;
        var take = Math.Min(historyCount, all.Count);
        var history = new DriftHistoryWindow[take];
        for (var i = 0; i < take; i++)
        {
            history[i] = all[all.Count - take + i];
        }
        var recorder = monitor.Recorder;
        if (all.Count == 0)
        {
            return new VersionDriftStatus(version.VersionText, "monitored", null, true, recorder.CurrentRowCount, recorder.CurrentWindowStart,
                monitor.Evaluator.PooledRows, null, thresholds, [], history);
        }
        // The last judged window stays the evidence while traffic is quiet (empty windows are pooled, not judged).
        var last = all[^1];
        var alarms = monitor.Alarms;
        var columns = new List<DriftHistoryColumn>(last.Columns.Count);
        foreach (var c in last.Columns)
        {
            var alarm = Find(alarms, c.Name);
            columns.Add(c with
            {
                AlarmState = alarm is null ? "ok" : DriftNames.State(alarm.State),
                AlarmSeverity = alarm is null ? "none" : DriftNames.Severity(alarm.Severity),
                AlarmSince = alarm?.Since ?? last.EvaluatedAt,
                AlarmWindows = alarm is null ? [] : AlarmSnapshot.DriftingWindowEnds(alarm.Recent),
            });
        }
        return new VersionDriftStatus(
            version.VersionText, "monitored", null, true, recorder.CurrentRowCount, recorder.CurrentWindowStart, monitor.Evaluator.PooledRows,
            new DriftWindowStatus(last.Start, last.End, last.Rows, last.EvaluatedAt, DriftNames.Correction(t.Correction)),
            thresholds, columns, history);
    }

    private static AlarmSnapshot? Find(IReadOnlyList<AlarmSnapshot> alarms, string name)
    {
        foreach (var alarm in alarms)
        {
            if (alarm.Name == name)
            {
                return alarm;
            }
        }
        return null;
    }
}
