using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Serving.Gateway.Alerts;

/// <summary>
/// Delivers alerts in the background to the configured Alertmanager-compatible webhooks (payload version 4)
/// and to Alertmanager's API. Publishing never blocks: alerts go into a bounded queue (dropped and counted
/// when it is full), and each delivery is retried with exponential backoff on its own, so a dead receiver
/// delays nobody. On shutdown the queue is drained for up to <see cref="ShutdownGrace"/>, so the alerts
/// published while stopping (resolutions, last re-sends) still go out.
/// </summary>
internal sealed partial class AlertNotifier : BackgroundService
{
    private const int HistorySize = 200;
    private const int ParallelDeliveries = 4;

    /// <summary>How long stopping waits for queued alerts to be delivered.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private static readonly Counter Deliveries = Prometheus.Metrics.CreateCounter(
        "serving_alert_deliveries_total", "Alert webhook deliveries by outcome (delivered, failed, dropped, no_receiver).",
        new CounterConfiguration { LabelNames = ["outcome"] });

    private readonly Channel<(Alert Alert, DateTimeOffset QueuedAt, AlertTargets Targets)> _queue;
    private readonly CancellationTokenSource _abort = new();
    private readonly ConcurrentQueue<AlertDelivery> _history = new();
    private readonly SemaphoreSlim _parallel = new(ParallelDeliveries, ParallelDeliveries);
    private readonly AlertOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertNotifier> _logger;

    public AlertNotifier(IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertNotifier> logger, HttpMessageHandler? handler = null)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = _options.Timeout };
        _queue = Channel.CreateBounded<(Alert, DateTimeOffset, AlertTargets)>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            // Wait mode, used only through TryWrite: a full queue makes TryWrite return false at once, so the
            // drop is counted (DropWrite would report success and lose the alert silently).
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    /// <summary>The most recent deliveries, newest last.</summary>
    public IReadOnlyList<AlertDelivery> History => [.. _history];

    /// <summary>Alerts queued and not yet taken for delivery.</summary>
    public int Pending => _queue.Reader.Count;

    /// <summary>Queues <paramref name="alert"/> for delivery; false (and counted) when the queue is full or stopped.</summary>
    public bool Publish(Alert alert, AlertTargets targets = AlertTargets.All)
    {
        alert = alert with
        {
            Fingerprint = alert.Fingerprint.Length > 0 ? alert.Fingerprint : Fingerprint(alert.Labels),
            Annotations = WithRunbookBase(alert.Annotations),
        };
        if (_queue.Writer.TryWrite((alert, _time.GetUtcNow(), targets)))
        {
            return true;
        }
        Deliveries.WithLabels("dropped").Inc();
        Remember(new AlertDelivery(alert, _time.GetUtcNow(), "dropped", 0, "delivery queue full"));
        return false;
    }

    /// <summary>An alert names its runbook by page (<c>drift.md#modeldriftcritical</c>); receivers get the absolute address.</summary>
    private IReadOnlyDictionary<string, string> WithRunbookBase(IReadOnlyDictionary<string, string> annotations)
    {
        if (!annotations.TryGetValue("runbook_url", out var page) || page.Contains("://", StringComparison.Ordinal))
        {
            return annotations;
        }
        var copy = new Dictionary<string, string>(annotations, StringComparer.Ordinal) { ["runbook_url"] = _options.RunbookUrl(page) };
        return copy;
    }

    /// <summary>A stable fingerprint of a label set, as Alertmanager computes one per alert.</summary>
    public static string Fingerprint(IReadOnlyDictionary<string, string> labels)
    {
        var builder = new StringBuilder();
        foreach (var key in labels.Keys.Order(StringComparer.Ordinal))
        {
            builder.Append(key).Append('\u0000').Append(labels[key]).Append('\u0000');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())))[..16];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Reads until the queue is completed by StopAsync (not until stoppingToken), so that what was
        // queued while stopping is still delivered; _abort ends it after the shutdown grace.
        try
        {
            await foreach (var (alert, queuedAt, targets) in _queue.Reader.ReadAllAsync(_abort.Token).ConfigureAwait(false))
            {
                await _parallel.WaitAsync(_abort.Token).ConfigureAwait(false);
                _ = DeliverAsync(alert, queuedAt, targets, _abort.Token);
            }
            for (var i = 0; i < ParallelDeliveries; i++)
            {
                await _parallel.WaitAsync(_abort.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        _abort.CancelAfter(ShutdownGrace);
        using var registration = cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DeliverAsync(Alert alert, DateTimeOffset queuedAt, AlertTargets targets, CancellationToken stoppingToken)
    {
        try
        {
            var webhooks = (targets & AlertTargets.Webhooks) != 0 ? _options.WebhookUrls : [];
            var alertmanagers = (targets & AlertTargets.Alertmanager) != 0 ? _options.AlertmanagerUrls : [];
            if (webhooks.Count == 0 && alertmanagers.Count == 0)
            {
                Deliveries.WithLabels("no_receiver").Inc();
                Remember(new AlertDelivery(alert, queuedAt, "no_receiver", 0, null));
                return;
            }
            if (webhooks.Count > 0)
            {
                // Webhook receivers get Alertmanager's own shape: a firing alert has the zero endsAt.
                var sent = alert.Status == "firing" ? alert with { EndsAt = DateTimeOffset.MinValue } : alert;
                var payload = new AlertmanagerPayload
                {
                    GroupKey = "{}:{fingerprint=\"" + alert.Fingerprint + "\"}",
                    Status = alert.Status,
                    GroupLabels = new Dictionary<string, string> { ["alertname"] = alert.Labels.GetValueOrDefault("alertname", "") },
                    CommonLabels = alert.Labels,
                    CommonAnnotations = alert.Annotations,
                    ExternalUrl = _options.ExternalUrl,
                    Alerts = [sent],
                };
                var body = JsonSerializer.SerializeToUtf8Bytes(payload, AlertJsonContext.Default.AlertmanagerPayload);
                foreach (var url in webhooks)
                {
                    await SendAsync(alert, queuedAt, url, body, stoppingToken).ConfigureAwait(false);
                }
            }
            if (alertmanagers.Count > 0)
            {
                PostableAlert[] postable = [new PostableAlert(alert.Labels, alert.Annotations, alert.StartsAt, alert.EndsAt, alert.GeneratorUrl)];
                var body = JsonSerializer.SerializeToUtf8Bytes(postable, AlertJsonContext.Default.PostableAlertArray);
                foreach (var url in alertmanagers)
                {
                    await SendAsync(alert, queuedAt, url.TrimEnd('/') + "/api/v2/alerts", body, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _parallel.Release();
        }
    }

    private async Task SendAsync(Alert alert, DateTimeOffset queuedAt, string url, byte[] body, CancellationToken stoppingToken)
    {
        var (attempts, error) = await SendWithRetriesAsync(url, body, stoppingToken).ConfigureAwait(false);
        var outcome = error is null ? "delivered" : "failed";
        Deliveries.WithLabels(outcome).Inc();
        Remember(new AlertDelivery(alert, queuedAt, outcome, attempts, error));
        if (error is not null)
        {
            LogGaveUp(_logger, alert.Labels.GetValueOrDefault("alertname", "?"), url, attempts, error);
        }
    }

    private async Task<(int Attempts, string? Error)> SendWithRetriesAsync(string url, byte[] body, CancellationToken stoppingToken)
    {
        var backoff = _options.InitialBackoff;
        string? error = null;
        var maxAttempts = _options.MaxAttempts;
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            try
            {
                // A buffered body with Content-Length: some webhook receivers do not read chunked bodies.
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                using var response = await _http.PostAsync(url, content, stoppingToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return (attempt, null);
                }
                error = $"HTTP {(int)response.StatusCode}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                error = ex.Message;
            }
            if (attempt < maxAttempts)
            {
                LogRetrying(_logger, url, attempt, error, backoff.TotalMilliseconds);
                await Task.Delay(backoff, _time, stoppingToken).ConfigureAwait(false);
                backoff *= 2;
            }
        }
        return (maxAttempts, error);
    }

    private void Remember(AlertDelivery delivery)
    {
        _history.Enqueue(delivery);
        while (_history.Count > HistorySize && _history.TryDequeue(out _))
        {
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        _parallel.Dispose();
        _abort.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Alert webhook {Url} attempt {Attempt} failed ({Error}); retrying in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string url, int attempt, string? error, double delayMs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Gave up delivering alert {AlertName} to {Url} after {Attempts} attempts: {Error}")]
    private static partial void LogGaveUp(ILogger logger, string alertName, string url, int attempts, string error);
}
