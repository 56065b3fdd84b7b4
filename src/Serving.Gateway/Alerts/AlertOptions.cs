namespace Serving.Gateway.Alerts;

/// <summary>Where and how alerts are delivered (<c>Serving:Alerts:*</c>).</summary>
public sealed class AlertOptions : ICheckedOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Serving:Alerts";

    /// <summary>Alertmanager-compatible webhook URLs that receive every alert (e.g. Alertmanager's own receiver, PagerDuty's bridge). Default none.</summary>
    public List<string> WebhookUrls { get; set; } = [];

    /// <summary>
    /// Alertmanager base URLs (e.g. <c>http://alertmanager:9093</c>) that receive every alert through
    /// Alertmanager's API (<c>POST /api/v2/alerts</c>). Firing alerts are re-sent every
    /// <see cref="ResendInterval"/> with <c>endsAt</c> four intervals ahead, as Prometheus does, so an
    /// alert whose gateway is gone resolves by itself. Default none.
    /// </summary>
    public List<string> AlertmanagerUrls { get; set; } = [];

    /// <summary>How often firing alerts are re-sent to <see cref="AlertmanagerUrls"/> (webhooks get each change once). Default 1 minute.</summary>
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Attempts per delivery before it is given up (and counted as failed). Default 6.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Delay before the first retry; it doubles after each failure. Default 1 s.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Per-attempt HTTP timeout. Default 5 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Alerts waiting for delivery before new ones are dropped (and counted). Default 1000.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>This gateway's external URL, put in <c>externalURL</c> and each alert's <c>generatorURL</c>.</summary>
    public string ExternalUrl { get; set; } = "";

    /// <summary>
    /// Where the runbooks live (e.g. <c>https://wiki.example.com/serving/runbooks</c>): each alert's
    /// <c>runbook_url</c> is this base plus the runbook page and section. Default empty: the copy the
    /// gateway serves, <see cref="ExternalUrl"/> + <c>/console/runbooks</c> (a path on the gateway when
    /// <see cref="ExternalUrl"/> is empty too).
    /// </summary>
    public string RunbookBaseUrl { get; set; } = "";

    /// <summary>The absolute runbook address of <paramref name="page"/> (e.g. <c>drift.md#modeldriftcritical</c>).</summary>
    public string RunbookUrl(string page)
    {
        var baseUrl = RunbookBaseUrl.Length > 0 ? RunbookBaseUrl : ExternalUrl.TrimEnd('/') + "/console/runbooks";
        return baseUrl.TrimEnd('/') + "/" + page;
    }

    /// <inheritdoc/>
    public IEnumerable<string?> Problems()
    {
        yield return SettingRules.Positive(Section + ":" + nameof(ResendInterval), ResendInterval);
        yield return SettingRules.AtLeast(Section + ":" + nameof(MaxAttempts), MaxAttempts, 1);
        yield return SettingRules.NotNegative(Section + ":" + nameof(InitialBackoff), InitialBackoff);
        yield return SettingRules.Positive(Section + ":" + nameof(Timeout), Timeout);
        yield return SettingRules.AtLeast(Section + ":" + nameof(QueueCapacity), QueueCapacity, 1);
    }
}
