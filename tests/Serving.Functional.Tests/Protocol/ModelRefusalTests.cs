using System.Net;
using System.Text.Json;
using Serving.Functional.Tests.Common;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Protocol;

/// <summary>
/// What clients see when a model refuses values its signature allows, and when a version failed to load:
/// a 400 or 503 that says what happened, with no paths, hashes or ONNX Runtime messages; readiness that
/// reports a failed load without taking the process out (unless strict).
/// </summary>
public sealed class ModelRefusalTests(HostileRepoGatewayFixture fixture) : IClassFixture<HostileRepoGatewayFixture>
{
    private readonly GatewayHost _host = fixture.Host;

    [Fact]
    public async Task Infer_EmbeddingIdsInRange_MatchTheTable()
    {
        long[] ids = [0, 9, -1, 4, 7, -10];

        using var response = await _host.Client.PostJsonAsync(Infer.Path("embedding", 1), Ids(ids));
        using var doc = await Infer.ReadJsonAsync(response);

        var vectors = Infer.FloatData(Infer.Output(doc, "vectors"));
        Assert.Equal(Table(ids), vectors);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(-11)]
    [InlineData(long.MaxValue)]
    public async Task Infer_EmbeddingIdOutOfRange_Returns400WithoutRuntimeInternals(long id)
    {
        using var response = await _host.Client.PostJsonAsync(Infer.Path("embedding", 1), Ids([0, id, 1]));

        var error = await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("Version 1 of model 'embedding' refused the input values", error, StringComparison.Ordinal);
        AssertNoInternals(error);
        using var good = await _host.Client.PostJsonAsync(Infer.Path("embedding", 1), Ids([1, 2, 3]));
        using var doc = await Infer.ReadJsonAsync(good);
        Assert.Equal(Table([1, 2, 3]), Infer.FloatData(Infer.Output(doc, "vectors")));
    }

    [Fact]
    public async Task Infer_BadAndGoodRequestsTogether_OnlyTheBadOneRefused()
    {
        // Concurrent requests may share a batch; the one with a bad id must not fail the others.
        var tasks = Enumerable.Range(0, 24).Select(async i =>
        {
            long[] ids = i % 4 == 0 ? [1, 99, 2] : [i % 10, (i + 3) % 10, 0];
            using var response = await _host.Client.PostJsonAsync(Infer.Path("embedding", 1), Ids(ids));
            if (i % 4 == 0)
            {
                await Infer.ReadErrorAsync(response, HttpStatusCode.BadRequest);
                return;
            }
            using var doc = await Infer.ReadJsonAsync(response);
            Assert.Equal(Table(ids), Infer.FloatData(Infer.Output(doc, "vectors")));
        });

        await Task.WhenAll(tasks);
    }

    [Theory]
    [InlineData("/v2/models/corrupt/infer")]
    [InlineData("/v2/models/corrupt/versions/1/infer")]
    public async Task Infer_VersionThatFailedToLoad_Returns503WithoutRetryAfterOrInternals(string path)
    {
        using var response = await _host.Client.PostJsonAsync(path, """{"inputs":[]}""");

        var error = await Infer.ReadErrorAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("failed to load", error, StringComparison.Ordinal);
        AssertNoInternals(error);
        Assert.Null(response.Headers.RetryAfter);
    }

    [Theory]
    [InlineData("/v2/models/corrupt/versions/1")]
    [InlineData("/v2/models/corrupt/versions/1/ready")]
    [InlineData("/v2/models/corrupt")]
    [InlineData("/v2/health/ready")]
    public async Task MetadataAndReadiness_FailedVersion_NoInternals(string path)
    {
        using var response = await _host.Client.GetAsync(path);

        AssertNoInternals(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HealthReady_OnlyVersionOfOneModelFailed_ReadyAndReportsIt()
    {
        using var response = await _host.Client.GetAsync("/v2/health/ready");
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var corrupt = doc.RootElement.GetProperty("models").EnumerateArray().Single(static m => m.GetProperty("name").GetString() == "corrupt");
        Assert.False(corrupt.GetProperty("ready").GetBoolean());
        var status = Assert.Single(corrupt.GetProperty("versions").EnumerateArray());
        Assert.Equal("FAILED", status.GetProperty("state").GetString());
        Assert.Equal("ONNX Runtime could not load the model file.", status.GetProperty("reason").GetString());
        var metrics = await _host.Client.GetStringAsync("/metrics");
        var failed = metrics.Split('\n').Where(static l => l.StartsWith("serving_model_version_state{", StringComparison.Ordinal)
            && l.Contains("model=\"corrupt\"", StringComparison.Ordinal) && l.Contains("state=\"failed\"", StringComparison.Ordinal)).ToArray();
        Assert.True(failed.Length == 1 && failed[0].EndsWith(" 1", StringComparison.Ordinal), string.Join('\n', metrics.Split('\n').Where(static l => l.Contains("corrupt", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task HealthReady_StrictReadiness_Returns503WhileAModelHasNoReadyVersion()
    {
        // A repository of its own: the version-state gauge is process-wide, and this host's unload of
        // its models must not touch the fixture's.
        var repository = Directory.CreateTempSubdirectory("serving-strict-").FullName;
        try
        {
            var version = Directory.CreateDirectory(Path.Combine(repository, "corrupt-strict", "1")).FullName;
            File.Copy(Path.Combine(fixture.Repository, "corrupt", "1", "model.onnx"), Path.Combine(version, "model.onnx"));
            await using var strict = await GatewayHost.StartAsync(repository, ["--Serving:StrictReadiness=true"]);

            using var response = await strict.Client.GetAsync("/v2/health/ready");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        finally
        {
            Directory.Delete(repository, recursive: true);
        }
    }

    /// <summary>No absolute path of the repository, no hash, nothing of ONNX Runtime's own words.</summary>
    private void AssertNoInternals(string text)
    {
        Assert.DoesNotContain(fixture.Repository, text, StringComparison.Ordinal);
        Assert.DoesNotContain("model.onnx", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ErrorCode", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Gather", text, StringComparison.Ordinal);
        Assert.DoesNotContain("onnxruntime", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Protobuf", text, StringComparison.OrdinalIgnoreCase);
    }

    private static string Ids(long[] ids) =>
        JsonSerializer.Serialize(new { inputs = new[] { new { name = "ids", datatype = "INT64", shape = new[] { ids.Length / 3, 3 }, data = ids } } });

    /// <summary>The fixture's table (tests/fixtures/make_hostile_repo.py): row i is [i, -0.5 i]; a negative id counts from the end.</summary>
    private static float[] Table(long[] ids) =>
        ids.Select(static id => id < 0 ? id + 10 : id).SelectMany(static i => new[] { (float)i, -0.5f * i }).ToArray();
}
