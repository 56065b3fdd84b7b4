using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serving.Gateway.Alerts;
using Serving.Testing.Common;

namespace Serving.Gateway.Tests.Alerts;

/// <summary>The Alertmanager-compatible webhook: payload, retries, and never blocking the publisher.</summary>
public sealed class AlertNotifierTests
{
    private static Alert Firing() => new()
    {
        Status = "firing",
        Labels = new Dictionary<string, string> { ["alertname"] = "ModelDriftCritical", ["model"] = "credit-risk", ["version"] = "2", ["feature"] = "years_at_employer" },
        Annotations = new Dictionary<string, string> { ["summary"] = "drifted" },
        StartsAt = new DateTimeOffset(2026, 11, 22, 20, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task Publish_ReceiverFailsTwice_RetriedUntilDeliveredAsVersion4Payload()
    {
        var receiver = new Receiver(failuresBeforeSuccess: 2);
        using var notifier = Create(receiver, maxAttempts: 5);
        await notifier.StartAsync(default);

        Assert.True(notifier.Publish(Firing()));

        await Polling.UntilAsync(() => notifier.History.Count == 1, "the delivery is recorded");
        var delivery = notifier.History.Single();
        Assert.Equal(("delivered", 3), (delivery.Outcome, delivery.Attempts));
        Assert.Equal(3, receiver.Bodies.Count);
        Assert.All(receiver.ContentLengths, static length => Assert.True(length > 0));
        using var json = JsonDocument.Parse(receiver.Bodies.Last());
        var root = json.RootElement;
        Assert.Equal("4", root.GetProperty("version").GetString());
        Assert.Equal("firing", root.GetProperty("status").GetString());
        var alert = root.GetProperty("alerts")[0];
        Assert.Equal("years_at_employer", alert.GetProperty("labels").GetProperty("feature").GetString());
        Assert.Equal(16, alert.GetProperty("fingerprint").GetString()!.Length);
        await notifier.StopAsync(default);
    }

    [Theory]
    [InlineData("", "", "/console/runbooks/drift.md#modeldriftcritical")]
    [InlineData("", "https://serving.example.com/", "https://serving.example.com/console/runbooks/drift.md#modeldriftcritical")]
    [InlineData("https://wiki.example.com/serving/runbooks/", "https://serving.example.com", "https://wiki.example.com/serving/runbooks/drift.md#modeldriftcritical")]
    public async Task Publish_RunbookPage_ReceiverGetsItUnderTheConfiguredBase(string runbookBase, string externalUrl, string expected)
    {
        var receiver = new Receiver(failuresBeforeSuccess: 0);
        using var notifier = new AlertNotifier(
            Options.Create(new AlertOptions { WebhookUrls = ["http://receiver.invalid/alerts"], RunbookBaseUrl = runbookBase, ExternalUrl = externalUrl }),
            TimeProvider.System, NullLogger<AlertNotifier>.Instance, receiver);
        await notifier.StartAsync(default);

        notifier.Publish(Firing() with { Annotations = new Dictionary<string, string> { ["runbook_url"] = "drift.md#modeldriftcritical" } });

        await Polling.UntilAsync(() => notifier.History.Count == 1, "the delivery is recorded");
        using var json = JsonDocument.Parse(receiver.Bodies.Last());
        Assert.Equal(expected, json.RootElement.GetProperty("alerts")[0].GetProperty("annotations").GetProperty("runbook_url").GetString());
        await notifier.StopAsync(default);
    }

    [Fact]
    public async Task Publish_ReceiverAlwaysFails_GivesUpAfterMaxAttemptsAndRecordsIt()
    {
        var receiver = new Receiver(failuresBeforeSuccess: int.MaxValue);
        using var notifier = Create(receiver, maxAttempts: 3);
        await notifier.StartAsync(default);

        notifier.Publish(Firing());

        await Polling.UntilAsync(() => notifier.History.Count == 1, "the failed delivery is recorded");
        Assert.Equal(("failed", 3, "HTTP 500"), (notifier.History.Single().Outcome, notifier.History.Single().Attempts, notifier.History.Single().LastError));
        await notifier.StopAsync(default);
    }

    [Fact]
    public void Publish_QueueFull_ReturnsFalseAtOnceAndCountsTheDrop()
    {
        // Not started: nothing drains the queue of one.
        using var notifier = Create(new Receiver(0), maxAttempts: 1, capacity: 1);

        Assert.True(notifier.Publish(Firing()));
        Assert.False(notifier.Publish(Firing()));

        Assert.Equal("dropped", notifier.History.Single().Outcome);
    }

    private static AlertNotifier Create(Receiver receiver, int maxAttempts, int capacity = 100) => new(
        Options.Create(new AlertOptions
        {
            WebhookUrls = ["http://receiver.invalid/alerts"],
            MaxAttempts = maxAttempts,
            InitialBackoff = TimeSpan.FromMilliseconds(5),
            QueueCapacity = capacity,
        }),
        TimeProvider.System, NullLogger<AlertNotifier>.Instance, receiver);

    /// <summary>An in-memory receiver: answers 500 a number of times, then 200, and keeps every body.</summary>
    private sealed class Receiver(int failuresBeforeSuccess) : HttpMessageHandler
    {
        private int _calls;

        public ConcurrentQueue<string> Bodies { get; } = new();

        public ConcurrentQueue<long> ContentLengths { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            ContentLengths.Enqueue(request.Content!.Headers.ContentLength ?? -1);
            Bodies.Enqueue(await request.Content.ReadAsStringAsync(cancellationToken));
            return new HttpResponseMessage(Interlocked.Increment(ref _calls) > failuresBeforeSuccess ? HttpStatusCode.OK : HttpStatusCode.InternalServerError);
        }
    }
}
