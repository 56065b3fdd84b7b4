using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;
using Xunit.Abstractions;

namespace Serving.Functional.Tests.OnCall;

/// <summary>
/// The on-call console in a real browser (headless Debian chromium) against a real gateway: the pages load
/// with no console message at all, and they show what the admin API says. Screenshots are written to
/// <c>test-output/console/</c> for a human to look at.
/// </summary>
public sealed partial class ConsoleInChromiumTests(ITestOutputHelper output)
{
    private const string Shifted = "years_at_employer";

    private const int WindowRows = 200;

    private static readonly string[] DriftSettings =
    [
        $"--Serving:Drift:WindowRows={WindowRows}",
        "--Serving:Drift:WindowDuration=00:10:00",
        "--Serving:Drift:EvaluationInterval=00:00:00.1",
    ];

    [Fact]
    public async Task Drift_UnitsChangeFires_PageShowsFiringFeatureAndItsHistogram()
    {
        await using var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models, DriftSettings);
        var rows = ReferenceRows();
        var column = Array.IndexOf(FeatureNames(), Shifted);
        // Two windows of the reference itself (no alarm), then the upstream sends months instead of years.
        for (var w = 0; w < 2; w++)
        {
            await SendWindowAsync(gateway, rows, w * WindowRows, scale: 1, column);
        }
        Assert.Empty(FiringFeatures(await DriftOfVersion2Async(gateway)));
        for (var w = 2; w < 14 && !FiringFeatures(await DriftOfVersion2Async(gateway)).Contains(Shifted); w++)
        {
            await SendWindowAsync(gateway, rows, w * WindowRows, scale: 12, column);
        }
        var drift = await DriftOfVersion2Async(gateway);
        Assert.Contains(Shifted, FiringFeatures(drift));
        var expected = ColumnOf(drift, Shifted);

        var dom = await OpenAsync(new Uri(gateway.Address, "/console/#/drift/credit-risk"), "drift");

        Assert.Contains("data-rendered=\"drift\"", dom, StringComparison.Ordinal);
        Assert.Contains($"<li data-feature=\"{Shifted}\" data-alarm=\"firing\">", dom, StringComparison.Ordinal);
        Assert.Contains($"id=\"feature-detail\" data-feature=\"{Shifted}\"", dom, StringComparison.Ordinal);
        var histogram = HistogramOf(dom, Shifted);
        var reference = Proportions(expected, "reference_proportions");
        var live = Proportions(expected, "live_proportions");
        var referenceHeights = BarHeights(histogram, "ref");
        var liveHeights = BarHeights(histogram, "live");
        Assert.Equal(reference.Length, referenceHeights.Length);
        Assert.Equal(live.Length, liveHeights.Length);
        // Bar heights are proportional to the API's proportions (one scale for both series).
        var scale = liveHeights[ArgMax(live)] / live[ArgMax(live)];
        for (var i = 0; i < live.Length; i++)
        {
            Assert.Equal(live[i] * scale, liveHeights[i], 0.15);
            Assert.Equal(reference[i] * scale, referenceHeights[i], 0.15);
        }
        // The drift overview names the firing feature of every model.
        var overview = await OpenAsync(new Uri(gateway.Address, "/console/#/drift"));
        Assert.Contains("data-rendered=\"drift\"", overview, StringComparison.Ordinal);
        Assert.Contains($"<span class=\"badge firing\">v2 {Shifted} firing</span>", overview, StringComparison.Ordinal);

        var severity = expected.GetProperty("alarm_severity").GetString();
        Assert.Contains($"href=\"runbooks/drift.md#modeldrift{severity}\"", dom, StringComparison.Ordinal);
        var runbook = await gateway.Client.GetStringAsync("/console/runbooks/drift.md");
        Assert.Contains("## ModelDrift" + char.ToUpperInvariant(severity![0]) + severity[1..], runbook, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelsAndRollouts_CanaryWithTraffic_PagesShowAuditAndLiveVariants()
    {
        await using var gateway = await GatewayHost.StartAsync(RepositoryPaths.Models);
        using var policy = new StringContent(
            """{"model":"credit-risk","mode":"canary","canary":{"stable_version":1,"canary_version":2,"weight":30}}""",
            Encoding.UTF8, "application/json");
        using (var put = await gateway.Client.PutAsync("/admin/rollouts/credit-risk?reason=console%20test", policy))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }
        for (var i = 0; i < 40; i++)
        {
            using var response = await gateway.Client.PostJsonAsync(Infer.Path("credit-risk"), Infer.CreditRiskJson([i % 8]));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using var audit = JsonDocument.Parse(await gateway.Client.GetStringAsync("/admin/models/credit-risk/audit"));
        using var rollout = JsonDocument.Parse(await gateway.Client.GetStringAsync("/admin/rollouts/credit-risk"));

        var list = await OpenAsync(new Uri(gateway.Address, "/console/#/models"));
        Assert.Contains("<a href=\"#/models/credit-risk\">credit-risk</a></td><td>v2</td>", list, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#/models/image-classifier\">image-classifier</a>", list, StringComparison.Ordinal);

        var model = await OpenAsync(new Uri(gateway.Address, "/console/#/models/credit-risk"), "model");
        Assert.Contains("data-rendered=\"models\"", model, StringComparison.Ordinal);
        Assert.Equal(audit.RootElement.GetProperty("entries").GetArrayLength(), Regex.Matches(model, "<li><time ").Count);
        Assert.Contains("Production</span>", model, StringComparison.Ordinal);

        var dom = await OpenAsync(new Uri(gateway.Address, "/console/#/rollouts"), "rollouts");
        Assert.Contains("data-rendered=\"rollouts\"", dom, StringComparison.Ordinal);
        Assert.Contains("canary v2 30%", dom, StringComparison.Ordinal);
        Assert.Contains("stable v1 70%", dom, StringComparison.Ordinal);
        // The page was rendered after the 40 requests, so its numbers are those the API had then.
        foreach (var variant in rollout.RootElement.GetProperty("status").GetProperty("variants").EnumerateArray())
        {
            var row = $"<tr><td>{variant.GetProperty("variant").GetString()}</td><td>v{variant.GetProperty("version").GetInt32()}</td>"
                + $"<td class=\"num\">{variant.GetProperty("requests").GetInt64()}</td>";
            Assert.Contains(row, dom, StringComparison.Ordinal);
        }
    }

    // A screenshot for a human (when named), then the DOM after the page's scripts ran; the page must log nothing.
    private async Task<string> OpenAsync(Uri url, string? screenshot = null)
    {
        if (screenshot is not null)
        {
            var shot = await HeadlessChromium.ScreenshotAsync(url, screenshot);
            output.WriteLine("Screenshot: " + shot.Output);
            Assert.Empty(shot.ConsoleMessages);
        }
        var page = await HeadlessChromium.DumpDomAsync(url);
        Assert.Empty(page.ConsoleMessages);
        return page.Output;
    }

    private static string[] FeatureNames()
    {
        using var reader = new StreamReader(ReferencePath);
        return reader.ReadLine()!.Split(',');
    }

    private static string ReferencePath => Path.Combine(RepositoryPaths.Models, "credit-risk", "2", "reference.csv");

    private static float[][] ReferenceRows()
    {
        var rows = new List<float[]>();
        foreach (var line in File.ReadLines(ReferencePath).Skip(1))
        {
            var cells = line.Split(',');
            var row = new float[12];
            for (var i = 0; i < 12; i++)
            {
                row[i] = float.Parse(cells[i], CultureInfo.InvariantCulture);
            }
            rows.Add(row);
        }
        return [.. rows];
    }

    // Sends one window's rows (50 per request) and waits until the gateway has evaluated that window.
    private static async Task SendWindowAsync(GatewayHost gateway, float[][] rows, int first, float scale, int column)
    {
        var before = WindowEnd(await DriftOfVersion2Async(gateway));
        for (var start = 0; start < WindowRows; start += 50)
        {
            var data = new List<float>(50 * 12);
            for (var r = start; r < start + 50; r++)
            {
                var row = rows[(first + r) % rows.Length];
                for (var i = 0; i < row.Length; i++)
                {
                    data.Add(i == column ? row[i] * scale : row[i]);
                }
            }
            var body = JsonSerializer.Serialize(new { inputs = new[] { new { name = "features", datatype = "FP32", shape = new[] { 50, 12 }, data } } });
            using var response = await gateway.Client.PostJsonAsync(Infer.Path("credit-risk", 2), body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (WindowEnd(await DriftOfVersion2Async(gateway)) == before)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Timed out waiting until the gateway evaluated the window.");
            }
            await Task.Delay(20);
        }
    }

    private static async Task<JsonElement> DriftOfVersion2Async(GatewayHost gateway)
    {
        using var document = JsonDocument.Parse(await gateway.Client.GetStringAsync("/admin/drift/credit-risk/versions/2"));
        return document.RootElement.GetProperty("versions")[0].Clone();
    }

    private static string? WindowEnd(JsonElement version) =>
        version.GetProperty("window").ValueKind == JsonValueKind.Object ? version.GetProperty("window").GetProperty("end").GetString() : null;

    private static List<string> FiringFeatures(JsonElement version)
    {
        var firing = new List<string>();
        foreach (var c in version.GetProperty("columns").EnumerateArray())
        {
            if (c.GetProperty("alarm_state").GetString() == "firing")
            {
                firing.Add(c.GetProperty("name").GetString()!);
            }
        }
        return firing;
    }

    private static JsonElement ColumnOf(JsonElement version, string name)
    {
        foreach (var c in version.GetProperty("columns").EnumerateArray())
        {
            if (c.GetProperty("name").GetString() == name)
            {
                return c;
            }
        }
        throw new InvalidOperationException($"No column {name} in the drift status.");
    }

    private static double[] Proportions(JsonElement column, string property)
    {
        var values = new List<double>();
        foreach (var p in column.GetProperty(property).EnumerateArray())
        {
            values.Add(p.GetDouble());
        }
        return [.. values];
    }

    private static string HistogramOf(string dom, string feature)
    {
        var start = dom.IndexOf($"data-chart=\"histogram\" data-feature=\"{feature}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No histogram of {feature} in the page.");
        var end = dom.IndexOf("</svg>", start, StringComparison.Ordinal);
        return dom[start..end];
    }

    private static double[] BarHeights(string svg, string kind)
    {
        var heights = new List<double>();
        foreach (Match m in BarPattern().Matches(svg))
        {
            if (m.Groups["kind"].Value == kind)
            {
                heights.Add(double.Parse(m.Groups["height"].Value, CultureInfo.InvariantCulture));
            }
        }
        return [.. heights];
    }

    private static int ArgMax(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }

    [GeneratedRegex("<rect class=\"(?<kind>ref|live)\" [^>]*height=\"(?<height>[0-9.]+)\"")]
    private static partial Regex BarPattern();
}
