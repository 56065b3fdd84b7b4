using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Serving.Cli;
using Serving.Functional.Tests.Common;
using Serving.Gateway.Grpc.Protocol;
using Serving.Gateway.Outcomes;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Outcomes;

/// <summary>The feedback API and online performance against a real gateway on loopback.</summary>
public sealed class FeedbackTests
{
    [Fact]
    public async Task Feedback_SeededLabelStream_OnlineMetricsEqualIndependentComputation()
    {
        using var repository = new CopiedRepository("outcomes-replay");
        var model = repository.Model;
        await using var gateway = await GatewayHost.StartAsync(repository.Root, OutcomeTraffic.Enabled);
        var random = new Random(20261201);
        var served = new List<ServedPrediction>();
        for (var i = 0; i < 300; i++)
        {
            served.Add(await OutcomeTraffic.PredictAsync(gateway.Client, model, OutcomeTraffic.RequestJson(random)));
        }
        var labels = served.Select(s => random.NextDouble() < s.Probability ? 1 : 0).ToArray();
        await OutcomeTraffic.UntilLoggedAsync(gateway.Client, model, served.Count);

        var joined = 0;
        for (var start = 0; start < served.Count; start += 40)
        {
            var chunk = Enumerable.Range(start, Math.Min(40, served.Count - start)).Select(i => (served[i].Id, labels[i]));
            var (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, model, OutcomeTraffic.FeedbackJson(chunk));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Empty(OutcomeTraffic.Ids(answer, "unknown"));
            Assert.Empty(OutcomeTraffic.Ids(answer, "duplicate"));
            joined += answer.GetProperty("joined").GetInt32();
        }
        Assert.Equal(served.Count, joined);

        var performance = await OutcomeTraffic.PerformanceAsync(gateway.Client, model);
        Assert.Equal("classifier", performance.GetProperty("kind").GetString());
        foreach (var group in Enumerable.Range(0, served.Count).GroupBy(i => (served[i].Version, served[i].Variant)))
        {
            var p = group.Select(i => served[i].Probability).ToList();
            var y = group.Select(i => labels[i]).ToList();
            var (version, variant) = group.Key;
            AssertMetric(performance, version, variant, "auc", ReferenceMetrics.Auc(p, y));
            AssertMetric(performance, version, variant, "log_loss", ReferenceMetrics.LogLoss(p, y));
            AssertMetric(performance, version, variant, "brier", ReferenceMetrics.Brier(p, y));
            AssertMetric(performance, version, variant, "accuracy", ReferenceMetrics.Accuracy(p, y, 0.5));

            var auc = OutcomeTraffic.Metric(performance, version, variant, "auc");
            Assert.True(auc.GetProperty("lower").GetDouble() < auc.GetProperty("value").GetDouble());
            Assert.Equal(OfflineAuc(repository, version), OutcomeTraffic.Metric(performance, version, variant, "auc").GetProperty("offline").GetDouble(), 1e-12);
            var gauge = await Scrape.ValueAsync(gateway.Client,
                $"serving_model_performance{{model=\"{model}\",version=\"{version}\",variant=\"{variant}\",metric=\"auc\"}}");
            Assert.Equal(ReferenceMetrics.Auc(p, y), gauge!.Value, 1e-9);
            Assert.NotNull(await Scrape.ValueAsync(gateway.Client,
                $"serving_model_performance_estimated{{model=\"{model}\",version=\"{version}\",variant=\"{variant}\",metric=\"auc\"}}"));
        }
        Assert.Equal(served.Count, await Scrape.ValueAsync(gateway.Client, $"serving_feedback_total{{model=\"{model}\",outcome=\"joined\"}}"));

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(["--url", gateway.Address.ToString(), "performance", model], output, error);
        Assert.True(code == 0, error.ToString());
        var version0 = served[0].Version;
        var expectedAuc = ReferenceMetrics.Auc(
            Enumerable.Range(0, served.Count).Where(i => served[i].Version == version0).Select(i => served[i].Probability).ToList(),
            Enumerable.Range(0, served.Count).Where(i => served[i].Version == version0).Select(i => labels[i]).ToList());
        var aucRow = output.ToString().Split('\n').Single(l => l.Contains(" auc ", StringComparison.Ordinal) && l.StartsWith(version0 + " ", StringComparison.Ordinal));
        Assert.Contains(expectedAuc.ToString("0.####", CultureInfo.InvariantCulture), aucRow, StringComparison.Ordinal);
        Assert.Contains(OfflineAuc(repository, version0).ToString("0.####", CultureInfo.InvariantCulture), aucRow, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Feedback_UnknownDuplicateAndMalformed_AreReportedNotFailed()
    {
        using var repository = new CopiedRepository("outcomes-report");
        var model = repository.Model;
        await using var gateway = await GatewayHost.StartAsync(repository.Root, OutcomeTraffic.Enabled);
        var random = new Random(7);
        var ordered = await OutcomeTraffic.PredictAsync(gateway.Client, model, OutcomeTraffic.RequestJson(random, id: "order-1"));
        var assigned = await OutcomeTraffic.PredictAsync(gateway.Client, model, OutcomeTraffic.RequestJson(random));
        Assert.Equal("order-1", ordered.Id);
        await OutcomeTraffic.UntilLoggedAsync(gateway.Client, model, 2);

        var (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, model,
            """[{"id":"order-1","label":1},{"id":"never-served","label":0},{"id":"order-1","label":0}]""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, answer.GetProperty("joined").GetInt32());
        Assert.Equal(["never-served"], OutcomeTraffic.Ids(answer, "unknown"));
        Assert.Equal(["order-1"], OutcomeTraffic.Ids(answer, "duplicate"));
        Assert.Empty(OutcomeTraffic.Ids(answer, "expired"));

        (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, model, $$"""{"id":"{{assigned.Id}}","label":true,"value":12.5}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, answer.GetProperty("joined").GetInt32());
        (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, model, $$"""{"id":"{{assigned.Id}}","label":0}""");
        Assert.Equal([assigned.Id], OutcomeTraffic.Ids(answer, "duplicate"));
        Assert.Equal(2, (await OutcomeTraffic.PerformanceAsync(gateway.Client, model)).GetProperty("versions")[0].GetProperty("labelled").GetInt32());

        (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, model, "{\"error\":");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("The body is not valid JSON", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, model, """[{"id":"order-1","label":1},{"id":"x","label":2}]""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Element 1", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, model, """{"label":1}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'id'", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, "no-such-model", """{"id":"a","label":1}""");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Unknown model 'no-such-model'.", answer.GetProperty("error").GetString());
        Assert.Equal(1, await Scrape.ValueAsync(gateway.Client, $"serving_feedback_total{{model=\"{model}\",outcome=\"unknown\"}}"));
        Assert.Equal(2, await Scrape.ValueAsync(gateway.Client, $"serving_feedback_total{{model=\"{model}\",outcome=\"duplicate\"}}"));
    }

    [Fact]
    public async Task Feedback_MultiRowRequest_JoinsEachRowByIdAndRow()
    {
        using var repository = new CopiedRepository("outcomes-rows");
        var model = repository.Model;
        await using var gateway = await GatewayHost.StartAsync(repository.Root, OutcomeTraffic.Enabled);
        using var response = await gateway.Client.PostJsonAsync(Infer.Path(model), Infer.CreditRiskJson([0, 1, 2], id: "batch-7"));
        using var body = await Infer.ReadJsonAsync(response);
        await OutcomeTraffic.UntilLoggedAsync(gateway.Client, model, 3);

        var (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, model,
            """[{"id":"batch-7/0","label":1},{"id":"batch-7/2","label":0},{"id":"batch-7","label":0}]""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, answer.GetProperty("joined").GetInt32());
        Assert.Equal(["batch-7"], OutcomeTraffic.Ids(answer, "unknown"));
    }

    [Fact]
    public async Task Feedback_ForAGrpcPrediction_JoinsByTheIdTheGrpcResponseCarried()
    {
        using var repository = new CopiedRepository("outcomes-grpc");
        var model = repository.Model;
        await using var gateway = await GatewayHost.StartAsync(repository.Root, OutcomeTraffic.Enabled, grpc: true);
        using var channel = GrpcChannel.ForAddress(gateway.GrpcAddress!);
        var request = new ModelInferRequest { ModelName = model };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "features", Datatype = "FP32", Shape = { 1, 12 }, Contents = new InferTensorContents() };
        input.Contents.Fp32Contents.Add(MemoryMarshal.Cast<byte, float>(ExpectedOutputs.CreditRisk.Float32Bytes([4])).ToArray());
        request.Inputs.Add(input);

        var response = await new GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelInferAsync(request);
        await OutcomeTraffic.UntilLoggedAsync(gateway.Client, model, 1);
        var (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, model, $$"""{"id":"{{response.Id}}","label":1}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, answer.GetProperty("joined").GetInt32());
    }

    [Fact]
    public async Task Feedback_AfterTheHorizon_IsReportedExpired()
    {
        using var repository = new CopiedRepository("outcomes-expiry");
        var model = repository.Model;
        await using var gateway = await GatewayHost.StartAsync(repository.Root,
            [.. OutcomeTraffic.Enabled, "--Serving:Outcomes:Horizon=00:00:01", "--Serving:Outcomes:Retention=01:00:00"]);
        var served = await OutcomeTraffic.PredictAsync(gateway.Client, model, OutcomeTraffic.RequestJson(new Random(3)));
        await OutcomeTraffic.UntilLoggedAsync(gateway.Client, model, 1);
        // Waiting past a one-second horizon: the test asserts what the API reports afterwards, not how long anything took.
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, model, $$"""{"id":"{{served.Id}}","label":1}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, answer.GetProperty("joined").GetInt32());
        Assert.Equal([served.Id], OutcomeTraffic.Ids(answer, "expired"));
    }

    [Fact]
    public async Task Outcomes_Off_RegistersNothingAndRefusesFeedback()
    {
        using var repository = new CopiedRepository("outcomes-off");
        await using var gateway = await GatewayHost.StartAsync(repository.Root);

        Assert.Null(gateway.Services.GetService<PredictionLog>());
        Assert.Null(gateway.Services.GetService<PredictionLogWriter>());
        var (status, answer) = await OutcomeTraffic.FeedbackAsync(gateway.Client, repository.Model, """{"id":"a","label":1}""");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("Serving:Outcomes:Enabled", answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var performance = await gateway.Client.GetAsync($"/admin/performance/{repository.Model}");
        Assert.Equal(HttpStatusCode.Conflict, performance.StatusCode);
    }

    /// <summary>The offline AUC in the version's metadata.json, read as a client would.</summary>
    private static double OfflineAuc(CopiedRepository repository, string version)
    {
        using var metadata = System.Text.Json.JsonDocument.Parse(File.ReadAllText(repository.ArtifactPath(int.Parse(version, CultureInfo.InvariantCulture), "metadata.json")));
        return metadata.RootElement.GetProperty("metrics").GetProperty("auc").GetDouble();
    }

    private static void AssertMetric(System.Text.Json.JsonElement performance, string version, string variant, string name, double expected) =>
        Assert.Equal(expected, OutcomeTraffic.Metric(performance, version, variant, name).GetProperty("value").GetDouble(), 1e-9);
}
