using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serving.Core.Outcomes;
using Serving.Gateway.Alerts;
using Serving.Gateway.ConceptDrift;
using Serving.Testing.Common;
using Xunit.Abstractions;

namespace Serving.Gateway.Tests.ConceptDrift;

/// <summary>
/// The concept-drift alarm on synthetic labelled streams whose feature distribution never changes: only the
/// relation between the feature and the label does (the loan story: <c>years_at_employer</c> changes meaning).
/// Delays are counted in labelled predictions, never in time.
/// </summary>
public sealed class ConceptDriftMonitorTests(ITestOutputHelper output)
{
    private const int Streams = 50;
    private const int Length = 3000;
    private const int ChangeAt = 1500;

    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Observe_RelationChangesDistributionDoesNot_FiresWithinTheDocumentedDelay()
    {
        var delays = new List<int>();
        int early = 0;
        for (int s = 0; s < Streams; s++)
        {
            using var alerts = new Alerting();
            var monitor = alerts.Monitor();
            var random = new Random(1000 + s);
            int? detectedAt = null;
            for (int t = 0; t < Length && detectedAt is null; t++)
            {
                monitor.Observe(Loan(random, "drifting", t, changed: t >= ChangeAt));
                if (Firing(monitor, "drifting"))
                {
                    detectedAt = t;
                }
            }

            if (detectedAt < ChangeAt)
            {
                early++;
            }
            else if (detectedAt is { } at)
            {
                delays.Add(at - ChangeAt + 1);
            }
        }

        output.WriteLine($"{Streams} streams, misclassification rate ~0.15 -> ~0.33 at {ChangeAt}: {delays.Count} detected after the change, " +
            $"mean delay {delays.DefaultIfEmpty().Average():F0} labelled predictions (max {delays.DefaultIfEmpty().Max()}), {early} alarms before it");
        Assert.Equal(Streams, delays.Count + early);
        Assert.True(early <= 1, $"{early} streams alarmed before the change");
        Assert.True(delays.Average() <= 250, $"mean delay {delays.Average()}");
        Assert.True(delays.Max() <= 600, $"max delay {delays.Max()}");
    }

    [Fact]
    public void Observe_SameTrafficWithoutTheChange_FiresNothing()
    {
        int alarmed = 0;
        for (int s = 0; s < Streams; s++)
        {
            using var alerts = new Alerting();
            var monitor = alerts.Monitor();
            var random = new Random(1000 + s);
            for (int t = 0; t < Length; t++)
            {
                monitor.Observe(Loan(random, "steady", t, changed: false));
            }

            alarmed += Firing(monitor, "steady") ? 1 : 0;
        }

        output.WriteLine($"{Streams} streams of {Length} labelled predictions without a change: {alarmed} alarmed");
        Assert.Equal(0, alarmed);
    }

    [Fact]
    public async Task Observe_Detection_SendsModelConceptDriftWithModelAndVersionThenResolvesAfterTheHold()
    {
        using var alerts = new Alerting();
        await alerts.Notifier.StartAsync(default);
        var monitor = alerts.Monitor();
        var random = new Random(7);
        for (int t = 0; t < Length && !Firing(monitor, "alerting"); t++)
        {
            monitor.Observe(Loan(random, "alerting", t, changed: t >= 500));
        }

        Assert.True(Firing(monitor, "alerting"));
        Assert.Equal(1, ConceptDriftMetrics.Alarm.WithLabels("alerting", "2").Value);
        ConceptDriftStatus status = monitor.Status("alerting")["2"];
        Assert.Equal(("firing", "classifier", 1L), (status.State, status.Kind, status.Detections));
        Assert.Contains("the mean error rose from", status.Description, StringComparison.Ordinal);
        var fired = await alerts.Receiver.NextAsync();
        Assert.Equal("firing", fired.GetProperty("status").GetString());
        var labels = fired.GetProperty("labels");
        Assert.Equal(("ModelConceptDrift", "alerting", "2"),
            (labels.GetProperty("alertname").GetString(), labels.GetProperty("model").GetString(), labels.GetProperty("version").GetString()));
        Assert.EndsWith("/console/runbooks/drift.md#modelconceptdrift", fired.GetProperty("annotations").GetProperty("runbook_url").GetString(), StringComparison.Ordinal);

        alerts.Clock.Advance(TimeSpan.FromHours(25));
        monitor.Tick();

        var resolved = await alerts.Receiver.NextAsync();
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
        Assert.Equal("ok", monitor.Status("alerting")["2"].State);
        Assert.Equal(0, ConceptDriftMetrics.Alarm.WithLabels("alerting", "2").Value);
        await alerts.Notifier.StopAsync(default);
    }

    [Fact]
    public void Restore_FiringAlarm_FiringAgainWithTheSameStart()
    {
        using var first = new Alerting();
        var monitor = first.Monitor();
        var random = new Random(8);
        for (int t = 0; t < Length && !Firing(monitor, "restored"); t++)
        {
            monitor.Observe(Loan(random, "restored", t, changed: t >= 500));
        }

        var records = monitor.Firing();
        using var second = new Alerting();
        var restarted = second.Monitor();
        restarted.Restore(JsonSerializer.Deserialize(
            JsonSerializer.Serialize(records, ConceptDriftJsonContext.Default.ListConceptDriftAlarmRecord), ConceptDriftJsonContext.Default.ListConceptDriftAlarmRecord)!);

        ConceptDriftStatus status = restarted.Status("restored")["2"];
        Assert.Equal("firing", status.State);
        Assert.Equal(monitor.Status("restored")["2"].Since, status.Since);
    }

    [Fact]
    public void Observe_RegressorWhoseErrorsDouble_Fires()
    {
        using var alerts = new Alerting();
        var monitor = alerts.Monitor();
        var random = new Random(9);
        int? detectedAt = null;
        for (int t = 0; t < 4000 && detectedAt is null; t++)
        {
            double truth = 100 + (10 * Normal(random));
            double noise = (t >= 2000 ? 2.0 : 1.0) * 5 * Normal(random);
            monitor.Observe(new LabelledPrediction("price", "1", "default", "r" + t, truth + noise, truth, null, T0, T0));
            detectedAt = Firing(monitor, "price", "1") ? t : null;
        }

        output.WriteLine($"regressor, MAE doubling at 2000: detected at {detectedAt}");
        Assert.Equal("regressor", monitor.Status("price")["1"].Kind);
        Assert.True(detectedAt is >= 2000 and < 2600, $"detected at {detectedAt}");
    }

    /// <summary>
    /// A loan applicant: the feature x ~ N(0, 1) always; before the change the label follows x (default when
    /// x + noise > 0), after it x means less (its weight halves, as when years_at_employer starts counting
    /// something else). The model still predicts p = sigmoid(2x).
    /// </summary>
    private static LabelledPrediction Loan(Random random, string model, int t, bool changed)
    {
        double x = Normal(random);
        double weight = changed ? 0.3 : 1.0;
        int y = (weight * x) + (0.5 * Normal(random)) > 0 ? 1 : 0;
        double p = 1.0 / (1.0 + Math.Exp(-2.0 * x));
        return new LabelledPrediction(model, "2", "default", "r" + t, p, y, null, T0, T0);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());

    private static bool Firing(ConceptDriftMonitor monitor, string model, string version = "2") =>
        monitor.Status(model).TryGetValue(version, out var status) && status.State == "firing";

    /// <summary>A notifier posting to a recording webhook, and the clock.</summary>
    private sealed class Alerting : IDisposable
    {
        public Alerting()
        {
            Notifier = new AlertNotifier(Options.Create(Settings), Clock, NullLogger<AlertNotifier>.Instance, Receiver);
        }

        public static AlertOptions Settings { get; } = new() { WebhookUrls = ["http://receiver.invalid/alerts"], MaxAttempts = 1 };

        public ManualClock Clock { get; } = new(T0);

        public WebhookReceiver Receiver { get; } = new();

        public AlertNotifier Notifier { get; }

        public ConceptDriftMonitor Monitor() => new(
            Notifier, Options.Create(new ConceptDriftOptions()), Options.Create(Settings), Clock, NullLogger<ConceptDriftMonitor>.Instance);

        public void Dispose() => Notifier.Dispose();
    }

    /// <summary>Records the alerts posted to it, one at a time.</summary>
    private sealed class WebhookReceiver : HttpMessageHandler
    {
        private readonly ConcurrentQueue<JsonElement> _alerts = new();

        public async Task<JsonElement> NextAsync()
        {
            JsonElement alert = default;
            await Polling.UntilAsync(() => _alerts.TryDequeue(out alert), "an alert arrives");
            return alert;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var json = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken));
            foreach (var alert in json.RootElement.GetProperty("alerts").EnumerateArray())
            {
                _alerts.Enqueue(alert.Clone());
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
