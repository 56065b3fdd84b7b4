using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Outcomes;

/// <summary>One answered prediction as the client saw it.</summary>
internal sealed record ServedPrediction(string Id, string Version, string Variant, double Probability);

/// <summary>Seeded credit-risk traffic and feedback, sent the way an application would.</summary>
internal static class OutcomeTraffic
{
    /// <summary>Settings that enable outcomes for every model, with a window large enough to hold a whole test's traffic.</summary>
    public static readonly string[] Enabled = ["--Serving:Outcomes:Enabled=true", "--Serving:Outcomes:Window=5000"];

    /// <summary>A credit-risk request for one applicant: a fixture row with every feature scaled by a seeded factor in [0.7, 1.3].</summary>
    public static string RequestJson(Random random, string? id = null)
    {
        var row = ExpectedOutputs.CreditRisk.Inputs[random.Next(ExpectedOutputs.CreditRisk.Rows)];
        var data = string.Join(',', row.Select(v => ((float)(v * (0.7 + 0.6 * random.NextDouble()))).ToString("R", CultureInfo.InvariantCulture)));
        var idPart = id is null ? "" : $"\"id\":\"{id}\",";
        return $"{{{idPart}\"inputs\":[{{\"name\":\"features\",\"datatype\":\"FP32\",\"shape\":[1,12],\"data\":[{data}]}}]}}";
    }

    /// <summary>Posts one inference request; asserts the body's and the header's ids agree.</summary>
    public static async Task<ServedPrediction> PredictAsync(HttpClient client, string model, string json)
    {
        using var response = await client.PostJsonAsync(Infer.Path(model), json);
        using var body = await Infer.ReadJsonAsync(response);
        var id = body.RootElement.GetProperty("id").GetString()!;
        Assert.Equal(id, Assert.Single(response.Headers.GetValues("x-request-id")));
        var probability = (double)Infer.FloatData(Infer.Output(body, "probability"))[0];
        return new ServedPrediction(id, Assert.Single(response.Headers.GetValues("x-model-version")),
            Assert.Single(response.Headers.GetValues("x-model-variant")), probability);
    }

    /// <summary>Posts a feedback body; returns the status and the parsed answer.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> FeedbackAsync(HttpClient client, string model, string json)
    {
        using var response = await client.PostAsync($"/v2/models/{model}/feedback", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>A feedback array for <paramref name="pairs"/>.</summary>
    public static string FeedbackJson(IEnumerable<(string Id, int Label)> pairs) =>
        "[" + string.Join(',', pairs.Select(static p => $"{{\"id\":\"{p.Id}\",\"label\":{p.Label}}}")) + "]";

    /// <summary>The ids an answer lists under <paramref name="outcome"/> (unknown, expired or duplicate).</summary>
    public static string[] Ids(JsonElement answer, string outcome) =>
        answer.GetProperty(outcome).EnumerateArray().Select(static e => e.GetString()!).ToArray();

    /// <summary>GET /admin/performance/{model}.</summary>
    public static async Task<JsonElement> PerformanceAsync(HttpClient client, string model)
    {
        using var response = await client.GetAsync($"/admin/performance/{model}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Waits until the prediction log has written <paramref name="count"/> predictions of <paramref name="model"/> (its label-free windows count them after the write).</summary>
    public static Task UntilLoggedAsync(HttpClient client, string model, int count) =>
        Polling.UntilAsync(async () =>
        {
            var performance = await PerformanceAsync(client, model);
            return performance.GetProperty("versions").EnumerateArray().Sum(static v => v.GetProperty("predictions").GetInt32()) >= count;
        }, $"{count} predictions of {model} are logged");

    /// <summary>The metric <paramref name="name"/> of one version and variant in a performance report.</summary>
    public static JsonElement Metric(JsonElement performance, string version, string variant, string name) =>
        performance.GetProperty("versions").EnumerateArray()
            .Single(v => v.GetProperty("version").GetString() == version && v.GetProperty("variant").GetString() == variant)
            .GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);
}
