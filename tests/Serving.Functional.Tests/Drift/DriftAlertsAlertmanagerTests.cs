using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Serving.Core.Drift;
using Serving.Functional.Tests.Alerts;
using Serving.Gateway.Alerts;
using Serving.Gateway.Drift;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Drift;

/// <summary>
/// Drift alarms as Alertmanager sees them, with a real <c>prometheus-alertmanager</c>: real windows through
/// the real evaluator, <see cref="DriftAlerts"/> and <see cref="AlertNotifier"/> posting to its API, and the
/// file state store across a restart. Each test uses its own model name in the shared Alertmanager.
/// </summary>
public sealed class DriftAlertsAlertmanagerTests(AlertmanagerServer alertmanager) : IClassFixture<AlertmanagerServer>
{
    // Fire on one drifting window, resolve after two clean ones: short scenarios, same code paths.
    private static readonly DriftThresholds Thresholds = DriftThresholds.Default with { FireAfter = 1, FireWindow = 1, ResolveAfter = 2 };

    [Fact]
    public async Task FireEscalateRecover_SameLabelsThroughout_AlertmanagerEndsWithNoActiveAlert()
    {
        var model = "fire-escalate-" + Guid.NewGuid().ToString("N")[..8];
        await using var gateway = await AlertingAsync();
        var evaluator = new DriftEvaluator(Profile(model), TimeProvider.System);
        var random = new Random(1);

        Evaluate(evaluator, gateway.Alerts, random, shift: 0.25, DriftSeverity.Warning);
        var fired = await SingleActiveAsync(model, "warning");
        Evaluate(evaluator, gateway.Alerts, random, shift: 4, DriftSeverity.Critical);
        var escalated = await SingleActiveAsync(model, "critical");
        Assert.Equal(Labels(fired), Labels(escalated));
        Assert.Equal(fired.GetProperty("startsAt").GetDateTimeOffset(), escalated.GetProperty("startsAt").GetDateTimeOffset());

        Evaluate(evaluator, gateway.Alerts, random, shift: 0, DriftSeverity.None);
        Evaluate(evaluator, gateway.Alerts, random, shift: 0, DriftSeverity.None);

        Assert.Equal(AlarmState.Resolved, evaluator.GetAlarmState(0));
        await Polling.UntilAsync(async () => (await alertmanager.ActiveAlertsAsync("x")).All(a => Label(a, "model") != model), "Alertmanager has no active alert");
        var sent = gateway.Notifier.History.Where(d => d.Alert.Labels["model"] == model).ToList();
        Assert.Equal(["firing", "firing", "resolved"], sent.Select(d => d.Alert.Status));
        Assert.All(sent, d => Assert.Equal(Labels(fired), d.Alert.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}").ToArray()));
        Assert.All(sent, d => Assert.Equal("delivered", d.Outcome));
    }

    [Fact]
    public async Task RestartWhileFiring_StateRestored_ExactlyOneActiveAlertThenResolvedOnRecovery()
    {
        var model = "restart-" + Guid.NewGuid().ToString("N")[..8];
        var state = Directory.CreateTempSubdirectory("serving-drift-state-").FullName;
        try
        {
            var store = new FileDriftStateStore(state, NullLogger<FileDriftStateStore>.Instance);
            var random = new Random(2);
            JsonElement before;
            await using (var first = await AlertingAsync())
            {
                var evaluator = new DriftEvaluator(Profile(model), TimeProvider.System);
                Evaluate(evaluator, first.Alerts, random, shift: 4, DriftSeverity.Critical);
                before = await SingleActiveAsync(model, "critical");
                Assert.True(await store.SaveAsync(model, "1", new DriftVersionState(evaluator.SnapshotAlarms(), []), CancellationToken.None));
                first.Alerts.Flush();
            }

            await using var second = await AlertingAsync();
            var restored = new DriftEvaluator(Profile(model), TimeProvider.System);
            var persisted = await store.LoadAsync(model, "1", CancellationToken.None);
            Assert.NotNull(persisted);
            restored.RestoreAlarms(persisted.Alarms);
            second.Alerts.Restore(model, "1", restored.SnapshotAlarms());

            Assert.Equal(AlarmState.Firing, restored.GetAlarmState(0));
            await Polling.UntilAsync(
                () => second.Notifier.History.Any(d => d.Alert.Labels["model"] == model && d.Outcome == "delivered"),
                "the restored alarm's alert was re-sent");
            var after = await SingleActiveAsync(model, "critical");
            Assert.Equal(Labels(before), Labels(after));
            Assert.Equal(before.GetProperty("startsAt").GetDateTimeOffset(), after.GetProperty("startsAt").GetDateTimeOffset());

            Evaluate(restored, second.Alerts, random, shift: 0, DriftSeverity.None);
            Evaluate(restored, second.Alerts, random, shift: 0, DriftSeverity.None);
            await Polling.UntilAsync(async () => (await alertmanager.ActiveAlertsAsync("x")).All(a => Label(a, "model") != model), "Alertmanager has no active alert");
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Retire_VersionLeavesWhileFiring_AlertResolvedWithTheSameLabels()
    {
        var model = "retire-" + Guid.NewGuid().ToString("N")[..8];
        await using var gateway = await AlertingAsync();
        var evaluator = new DriftEvaluator(Profile(model), TimeProvider.System);
        Evaluate(evaluator, gateway.Alerts, new Random(3), shift: 4, DriftSeverity.Critical);
        await SingleActiveAsync(model, "critical");

        gateway.Alerts.Retire(model, "1");

        Assert.Equal(0, gateway.Alerts.FiringCount);
        await Polling.UntilAsync(async () => (await alertmanager.ActiveAlertsAsync("x")).All(a => Label(a, "model") != model), "Alertmanager has no active alert");
    }

    private static void Evaluate(DriftEvaluator evaluator, DriftAlerts alerts, Random random, double shift, DriftSeverity expected)
    {
        var recorder = new DriftRecorder(evaluator.Profile, DriftWindowOptions.Default, TimeProvider.System);
        var rows = new float[2000];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = (float)(Normal(random) + shift);
        }
        recorder.Record(rows, rows.Length, []);
        var evaluation = evaluator.Evaluate(recorder.Rotate(), Thresholds);
        Assert.Equal(expected, evaluation.Columns[0].Severity);
        foreach (var transition in evaluation.Transitions)
        {
            alerts.OnTransition(transition);
        }
    }

    private async Task<JsonElement> SingleActiveAsync(string model, string severity)
    {
        JsonElement[] mine = [];
        await Polling.UntilAsync(async () =>
        {
            mine = (await alertmanager.ActiveAlertsAsync("x")).Where(a => Label(a, "model") == model).ToArray();
            return mine.Length == 1 && mine[0].GetProperty("annotations").GetProperty("severity").GetString() == severity;
        }, $"Alertmanager holds one {severity} alert of {model}");
        return mine[0];
    }

    private static string Label(JsonElement alert, string name) =>
        alert.GetProperty("labels").TryGetProperty(name, out var value) ? value.GetString()! : "";

    private static string[] Labels(JsonElement alert) =>
        alert.GetProperty("labels").EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value.GetString()}").ToArray();

    private static ReferenceProfile Profile(string model)
    {
        var random = new Random(42);
        var reference = new float[5000];
        for (var i = 0; i < reference.Length; i++)
        {
            reference[i] = (float)Normal(random);
        }
        return ReferenceProfile.Build(model, "1", ["x"], [], reference, [], reference.Length);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private async Task<Alerting> AlertingAsync()
    {
        var options = Options.Create(new AlertOptions { AlertmanagerUrls = [alertmanager.Url], InitialBackoff = TimeSpan.FromMilliseconds(100) });
        var notifier = new AlertNotifier(options, TimeProvider.System, NullLogger<AlertNotifier>.Instance);
        await notifier.StartAsync(CancellationToken.None);
        return new Alerting(notifier, new DriftAlerts(notifier, options, TimeProvider.System));
    }

    private sealed record Alerting(AlertNotifier Notifier, DriftAlerts Alerts) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Notifier.StopAsync(CancellationToken.None);
            Notifier.Dispose();
        }
    }
}
