using System.Globalization;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Protocol;

public sealed class InferenceEndpointConcurrencyTests(ModelsGatewayFixture fixture) : IClassFixture<ModelsGatewayFixture>
{
    private const int Requests = 256;

    [Fact]
    public async Task Infer_256ConcurrentRequestsOfMixedBatchSizes_EachGetsItsOwnRows()
    {
        var host = fixture.Host;
        var fixtureRows = ExpectedOutputs.CreditRisk.Rows;
        using var start = new SemaphoreSlim(0);
        var batchesBefore = host.Batcher("credit-risk", 1).BatchesRun + host.Batcher("credit-risk", 2).BatchesRun;

        var tasks = Enumerable.Range(0, Requests).Select(async i =>
        {
            // 8 batch sizes x 32 starting rows: every request asks for a different row selection.
            var size = 1 + i % 8;
            var first = i / 8 % fixtureRows;
            var rows = Enumerable.Range(0, size).Select(k => (first + k * (1 + i % 5)) % fixtureRows).ToArray();
            int? version = i % 3 == 0 ? 1 : i % 3 == 1 ? 2 : null;
            var answering = version ?? 2;
            var id = "req-" + i.ToString(CultureInfo.InvariantCulture);
            var json = Infer.CreditRiskJson(rows, id);
            await start.WaitAsync();

            using var response = await host.Client.PostJsonAsync(Infer.Path("credit-risk", version), json);
            using var doc = await Infer.ReadJsonAsync(response);

            Assert.Equal(id, doc.RootElement.GetProperty("id").GetString());
            Assert.Equal(answering.ToString(CultureInfo.InvariantCulture), Infer.AnsweringVersion(response, doc));
            var output = Infer.Output(doc, "probability");
            Assert.Equal([size, 1L], Infer.Shape(output));
            ExpectedOutputs.CreditRisk.AssertProbabilities(answering, rows, Infer.FloatData(output));
        }).ToArray();
        start.Release(Requests);
        await Task.WhenAll(tasks);

        var batches = host.Batcher("credit-risk", 1).BatchesRun + host.Batcher("credit-risk", 2).BatchesRun - batchesBefore;
        Assert.InRange(batches, 1, Requests);
    }
}
