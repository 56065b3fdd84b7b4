using System.Globalization;
using Microsoft.AspNetCore.Http;
using Serving.Core.Drift;
using Serving.Gateway.Inference;
using Serving.Gateway.Protocol;

namespace Serving.Gateway.Admin;

/// <summary><c>GET /admin/drift/{model}[/versions/{v}]</c>: what on-call reads when a drift alert fires.</summary>
internal static class AdminDriftEndpoints
{
    public static IEndpointRouteBuilder MapAdminDrift(this IEndpointRouteBuilder app)
    {
        var drift = app.MapGroup("/admin/drift").AddEndpointFilter<AdminAuthFilter>();
        drift.MapGet("/{model}", static (string model, ModelHost host) => Status(host, model, null));
        drift.MapGet("/{model}/versions/{version}", static (string model, string version, ModelHost host) => Status(host, model, version));
        return app;
    }

    private static IResult Status(ModelHost host, string model, string? versionText)
    {
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
        foreach (var version in entry.Versions)
        {
            if (only is { } n && version.Version != n)
            {
                continue;
            }
            versions.Add(Describe(version));
        }
        return Results.Json(new DriftStatusResponse(entry.Name, versions), DriftJsonContext.Default.DriftStatusResponse);
    }

    private static VersionDriftStatus Describe(ModelVersion version)
    {
        if (version.Drift is not { } monitor)
        {
            return new VersionDriftStatus(version.VersionText, false, 0, null, null, null, []);
        }
        var t = monitor.Thresholds;
        var thresholds = new DriftThresholdsStatus(t.PsiWarning, t.PsiCritical, t.KsPValue, t.MinimumSampleSize, t.FireAfter, t.ResolveAfter);
        var last = monitor.Last;
        if (last is null)
        {
            return new VersionDriftStatus(version.VersionText, true, monitor.Recorder.CurrentRowCount, monitor.Recorder.CurrentWindowStart, null, thresholds, []);
        }
        var columns = new List<DriftColumnStatus>(last.Columns.Length);
        foreach (var c in last.Columns)
        {
            columns.Add(new DriftColumnStatus(
                c.Name,
                c.Kind == DriftColumnKind.Feature ? "feature" : "output",
                c.Psi,
                c.KsStatistic,
                c.PValue,
                c.AdjustedPValue,
                c.KsMethod?.ToString().ToLowerInvariant(),
                Snake(c.Verdict.ToString()),
                c.Severity.ToString().ToLowerInvariant(),
                c.AlarmState.ToString().ToLowerInvariant(),
                c.AlarmSeverity.ToString().ToLowerInvariant(),
                c.AlarmSince,
                c.LiveCount,
                c.LiveSampleCount,
                c.BinEdges,
                c.ReferenceProportions,
                c.LiveProportions));
        }
        return new VersionDriftStatus(
            version.VersionText, true, monitor.Recorder.CurrentRowCount, monitor.Recorder.CurrentWindowStart,
            new DriftWindowStatus(last.WindowStart, last.WindowEnd, last.RowCount, last.EvaluatedAt, Snake(last.Correction.ToString())),
            thresholds, columns);
    }

    private static string Snake(string pascal)
    {
        var builder = new System.Text.StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                builder.Append('_');
            }
            builder.Append(char.ToLowerInvariant(pascal[i]));
        }
        return builder.ToString();
    }
}
