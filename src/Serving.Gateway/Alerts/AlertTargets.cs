namespace Serving.Gateway.Alerts;

/// <summary>Which receivers an alert goes to.</summary>
[Flags]
internal enum AlertTargets
{
    /// <summary>The webhooks (<see cref="AlertOptions.WebhookUrls"/>): state changes only.</summary>
    Webhooks = 1,

    /// <summary>Alertmanager's API (<see cref="AlertOptions.AlertmanagerUrls"/>): changes and periodic re-sends.</summary>
    Alertmanager = 2,

    /// <summary>Both.</summary>
    All = Webhooks | Alertmanager,
}
