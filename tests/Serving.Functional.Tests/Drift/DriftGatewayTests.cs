using System.Globalization;
using System.Text;
using System.Text.Json;
using Serving.Functional.Tests.Alerts;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Drift;

/// <summary>
/// Drift monitoring through the real gateway (Kestrel on loopback, the credit-risk ONNX model copied under
/// another name so that its metrics are this test's alone): an unusable reference reported everywhere, and
/// an alarm that fires on shifted traffic, keeps its evidence when traffic stops, survives a restart and
/// resolves in a real Alertmanager.
/// </summary>
public sealed class DriftGatewayTests(AlertmanagerServer alertmanager) : IClassFixture<AlertmanagerServer>
{
    private const int YearsAtEmployer = 9;

    [Fact]
    public async Task Start_ReferenceWithAnEmptyCell_DriftUnavailableInAdminReadinessAndMetric()
    {
        var repository = Repository("drift-bad-reference", reference => reference.Replace("\n29,22967,", "\n,22967,", StringComparison.Ordinal));
        try
        {
            await using var gateway = await GatewayHost.StartAsync(repository, ["--Serving:Drift:EvaluationInterval=00:00:00.05"]);

            using var drift = await GetJsonAsync(gateway.Client, "/admin/drift/drift-bad-reference");
            var version = drift.RootElement.GetProperty("versions")[0];
            Assert.Equal("unavailable", version.GetProperty("status").GetString());
            Assert.Contains("line 3: '' is not a number", version.GetProperty("reason").GetString(), StringComparison.Ordinal);

            using var ready = await GetJsonAsync(gateway.Client, "/v2/health/ready");
            Assert.True(ready.RootElement.GetProperty("ready").GetBoolean());
            Assert.Contains(ready.RootElement.GetProperty("drift_unavailable").EnumerateArray(),
                e => e.GetString()!.StartsWith("drift-bad-reference v1: ", StringComparison.Ordinal));

            await Polling.UntilAsync(async () => (await gateway.Client.GetStringAsync("/metrics")).Contains(
                "serving_drift_monitor_available{model=\"drift-bad-reference\",version=\"1\"} 0", StringComparison.Ordinal),
                "the availability gauge is 0");
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }

    [Fact]
    public async Task ShiftedTraffic_FiresKeepsEvidenceSurvivesRestartAndResolves()
    {
        const string model = "drift-restart";
        var repository = Repository(model, static reference => reference);
        var state = Directory.CreateTempSubdirectory("serving-state-").FullName;
        string[] settings =
        [
            "--Serving:Drift:EvaluationInterval=00:00:00.05",
            "--Serving:Drift:WindowRows=200",
            "--Serving:Drift:WindowDuration=00:00:01",
            "--Serving:Drift:FireAfter=1",
            "--Serving:Drift:FireWindow=1",
            "--Serving:Drift:ResolveAfter=1",
            $"--Serving:Alerts:AlertmanagerUrls:0={alertmanager.Url}",
            "--Serving:Alerts:InitialBackoff=00:00:00.1",
        ];
        try
        {
            var rows = ReferenceRows();
            DateTimeOffset firedAt;
            JsonElement alertBefore;
            await using (var first = await GatewayHost.StartAsync(repository, settings, stateDirectory: state))
            {
                // years_at_employer arrives in months instead of years.
                await SendAsync(first.Client, model, rows, monthsInsteadOfYears: true);
                var column = await ColumnWhenAsync(first.Client, model, c => c.GetProperty("alarm_state").GetString() == "firing");
                firedAt = column.GetProperty("alarm_since").GetDateTimeOffset();
                Assert.NotEmpty(column.GetProperty("alarm_windows").EnumerateArray());
                alertBefore = await SingleActiveAsync(model);
                // Alertmanager keeps times to the millisecond.
                Assert.Equal(firedAt.ToUnixTimeMilliseconds(), alertBefore.GetProperty("startsAt").GetDateTimeOffset().ToUnixTimeMilliseconds());

                // Traffic stops: empty windows close (the open window restarts) but change nothing.
                using var before = await GetJsonAsync(first.Client, $"/admin/drift/{model}");
                var start = before.RootElement.GetProperty("versions")[0].GetProperty("current_window_start").GetDateTimeOffset();
                await Polling.UntilAsync(async () =>
                {
                    using var now = await GetJsonAsync(first.Client, $"/admin/drift/{model}");
                    return now.RootElement.GetProperty("versions")[0].GetProperty("current_window_start").GetDateTimeOffset() > start.AddSeconds(1);
                }, "two empty windows closed");
                using var quiet = await GetJsonAsync(first.Client, $"/admin/drift/{model}?history=3");
                var version = quiet.RootElement.GetProperty("versions")[0];
                var stillFiring = Column(version, "years_at_employer");
                Assert.Equal("firing", stillFiring.GetProperty("alarm_state").GetString());
                Assert.Equal("drift", stillFiring.GetProperty("verdict").GetString());
                var history = version.GetProperty("history");
                Assert.InRange(history.GetArrayLength(), 1, 3);
                var lastWindow = history[history.GetArrayLength() - 1];
                Assert.Equal(version.GetProperty("window").GetProperty("end").GetDateTimeOffset(), lastWindow.GetProperty("end").GetDateTimeOffset());
                var evidence = lastWindow.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "years_at_employer");
                foreach (var field in (string[])["kind", "psi", "ks_statistic", "ks_pvalue", "ks_pvalue_adjusted", "chi2_pvalue", "missing_rate",
                    "verdict", "severity", "bin_edges", "reference_proportions", "live_proportions"])
                {
                    Assert.True(evidence.TryGetProperty(field, out _), field);
                }
                Assert.Equal("drift", evidence.GetProperty("verdict").GetString());
            }

            await using var second = await GatewayHost.StartAsync(repository, settings, stateDirectory: state);
            var restored = await ColumnWhenAsync(second.Client, model, c => c.GetProperty("alarm_state").GetString() == "firing", history: true);
            Assert.Equal(firedAt, restored.GetProperty("alarm_since").GetDateTimeOffset());
            var alertAfter = await SingleActiveAsync(model);
            Assert.Equal(alertBefore.GetProperty("labels").ToString(), alertAfter.GetProperty("labels").ToString());
            Assert.Equal(alertBefore.GetProperty("startsAt").GetDateTimeOffset(), alertAfter.GetProperty("startsAt").GetDateTimeOffset());

            await SendAsync(second.Client, model, rows, monthsInsteadOfYears: false);
            await ColumnWhenAsync(second.Client, model, c => c.GetProperty("alarm_state").GetString() is "resolved" or "ok");
            await Polling.UntilAsync(async () => (await alertmanager.ActiveAlertsAsync("years_at_employer")).All(a => Model(a) != model),
                "Alertmanager has no active years_at_employer alert of the model");
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
            Directory.Delete(state, recursive: true);
        }
    }

    private async Task<JsonElement> SingleActiveAsync(string model)
    {
        JsonElement[] mine = [];
        await Polling.UntilAsync(async () =>
        {
            mine = (await alertmanager.ActiveAlertsAsync("years_at_employer")).Where(a => Model(a) == model).ToArray();
            return mine.Length == 1;
        }, "Alertmanager holds one years_at_employer alert");
        return mine[0];
    }

    private static string Model(JsonElement alert) => alert.GetProperty("labels").GetProperty("model").GetString()!;

    private static async Task<JsonElement> ColumnWhenAsync(HttpClient client, string model, Func<JsonElement, bool> condition, bool history = false)
    {
        JsonElement found = default;
        await Polling.UntilAsync(async () =>
        {
            using var drift = await GetJsonAsync(client, $"/admin/drift/{model}?history=5");
            var version = drift.RootElement.GetProperty("versions")[0];
            if (version.GetProperty("columns").GetArrayLength() == 0 || (history && version.GetProperty("history").GetArrayLength() == 0))
            {
                return false;
            }
            found = Column(version, "years_at_employer").Clone();
            return condition(found);
        }, "the years_at_employer alarm reached the expected state");
        return found;
    }

    private static JsonElement Column(JsonElement version, string name) =>
        version.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static async Task<JsonDocument> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    /// <summary>Sends 480 reference rows in requests of 48, the drifted feature in months when asked.</summary>
    private static async Task SendAsync(HttpClient client, string model, float[][] rows, bool monthsInsteadOfYears)
    {
        for (var first = 0; first < 480; first += 48)
        {
            var json = new StringBuilder("{\"inputs\":[{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[48,12],\"data\":[");
            for (var r = first; r < first + 48; r++)
            {
                for (var f = 0; f < 12; f++)
                {
                    var value = rows[r][f] * (monthsInsteadOfYears && f == YearsAtEmployer ? 12 : 1);
                    json.Append(r == first && f == 0 ? "" : ",").Append(value.ToString("R", CultureInfo.InvariantCulture));
                }
            }
            json.Append("]}]}");
            using var response = await client.PostJsonAsync($"/v2/models/{model}/versions/1/infer", json.ToString());
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    private static float[][] ReferenceRows()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Models, "credit-risk", "1", "reference.csv"));
        return lines.Skip(1).Take(480)
            .Select(l => l.Split(',').Take(12).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();
    }

    /// <summary>A repository holding credit-risk version 1 as <paramref name="model"/>, its reference passed through <paramref name="edit"/>.</summary>
    private static string Repository(string model, Func<string, string> edit)
    {
        var root = Directory.CreateTempSubdirectory("serving-drift-repo-").FullName;
        var source = Path.Combine(RepositoryPaths.Models, "credit-risk");
        var target = Path.Combine(root, model, "1");
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(source, "model.json"), Path.Combine(root, model, "model.json"));
        File.Copy(Path.Combine(source, "1", "model.onnx"), Path.Combine(target, "model.onnx"));
        File.Copy(Path.Combine(source, "1", "metadata.json"), Path.Combine(target, "metadata.json"));
        File.WriteAllText(Path.Combine(target, "reference.csv"), edit(File.ReadAllText(Path.Combine(source, "1", "reference.csv"))));
        return root;
    }
}
