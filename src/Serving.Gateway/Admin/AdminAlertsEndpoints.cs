using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Serving.Core.Rollouts;
using Serving.Gateway.Alerts;
using Serving.Gateway.Protocol;
using Serving.Gateway.Rollouts;

namespace Serving.Gateway.Admin;

/// <summary>
/// <c>GET /admin/alerts</c>: the alerts this gateway sent and what became of them.
/// <c>POST /admin/alerts</c>: an Alertmanager webhook receiver (payload version 4). A firing alert whose
/// labels name a model and a version that is the canary of a rollout (under a running plan, or with a
/// weight set by hand) aborts that rollout: weight to 0 at once, the canary rolled back in the registry,
/// and an alert of its own.
/// </summary>
internal static partial class AdminAlertsEndpoints
{
    private const int MaxBody = 1 << 20;

    public static IEndpointRouteBuilder MapAdminAlerts(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/admin/alerts").AddEndpointFilter<AdminAuthFilter>();
        alerts.MapGet("/", static (AlertNotifier notifier) => Results.Json([.. notifier.History], AlertJsonContext.Default.AlertDeliveryArray));
        alerts.MapPost("/", ReceiveAsync);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context, RolloutSyncService sync, IRolloutStore store, IRolloutActionSink actions,
        TimeProvider time, ILoggerFactory loggers)
    {
        if (context.Request.ContentLength > MaxBody)
        {
            return ProtocolErrors.Result(StatusCodes.Status413PayloadTooLarge, "The alert payload is larger than 1 MiB.");
        }
        AlertmanagerPayload? payload;
        try
        {
            payload = await JsonSerializer.DeserializeAsync(context.Request.Body, AlertJsonContext.Default.AlertmanagerPayload, context.RequestAborted)
                .ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return ProtocolErrors.Result(StatusCodes.Status400BadRequest, "Not an Alertmanager webhook payload: " + ex.Message);
        }
        if (payload?.Alerts is null)
        {
            return ProtocolErrors.Result(StatusCodes.Status400BadRequest, "The payload has no 'alerts'.");
        }
        var logger = loggers.CreateLogger("Serving.Gateway.Admin.Alerts");
        var aborted = new List<string>();
        foreach (var alert in payload.Alerts)
        {
            if (alert.Status != "firing"
                || !alert.Labels.TryGetValue("model", out var model)
                || !alert.Labels.TryGetValue("version", out var versionText)
                || !int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                || !sync.Table.TryGet(model, out var runtime))
            {
                continue;
            }
            var policy = runtime.Policy;
            // A canary takes traffic under a running plan, or with a weight set by hand (no plan, or one
            // that has ended): either way the alert aborts it, as the admin API's abort would.
            if (policy is not { Mode: RolloutMode.Canary, Canary: { } canary } || canary.CanaryVersion != version
                || (policy.Progress is not { IsActive: true } && canary.Weight == 0))
            {
                continue;
            }
            var progress = policy.Progress is { IsActive: true } active ? active : RolloutProgress.NotStarted;
            var name = alert.Labels.GetValueOrDefault("alertname", "an alert");
            var reason = $"alert {name} fired for canary version {version}: {alert.Annotations.GetValueOrDefault("summary", "")}".TrimEnd(' ', ':');
            var decided = RolloutController.Abort(progress, time.GetUtcNow(), reason);
            if (!decided.IsSuccess)
            {
                continue;
            }
            var committed = await store.CompareAndSwapAsync(RolloutController.Apply(policy, decided.Value, time.GetUtcNow(), "alertmanager"), context.RequestAborted)
                .ConfigureAwait(false);
            if (committed.IsSuccess)
            {
                await sync.RefreshAsync(context.RequestAborted).ConfigureAwait(false);
                await actions.ExecuteAsync(committed.Value, decided.Value.Actions, context.RequestAborted).ConfigureAwait(false);
                aborted.Add(model);
                LogAbortedByAlert(logger, model, version, name);
            }
        }
        return Results.Json(new Dictionary<string, List<string>> { ["aborted"] = aborted }, AdminAlertsJsonContext.Default.DictionaryStringListString);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Rollout of {Model} aborted: alert {AlertName} fired for canary version {Version}")]
    private static partial void LogAbortedByAlert(ILogger logger, string model, int version, string alertName);
}
