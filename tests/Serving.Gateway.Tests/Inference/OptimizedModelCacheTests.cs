using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Serving.Gateway.Inference;
using Serving.Testing.Common;

namespace Serving.Gateway.Tests.Inference;

/// <summary>
/// <c>Serving:OnnxRuntime:OptimizedModelCacheDirectory</c>: the first load writes the optimized graph,
/// the next load of the same file uses it and answers like the source model (numpy fixture); a corrupt
/// entry, a changed model file and a cache that cannot be written all still load the model.
/// </summary>
public sealed class OptimizedModelCacheTests : IDisposable
{
    private static readonly CreditRiskFixture CreditRisk = ExpectedOutputs.CreditRisk;
    private readonly string _root = Directory.CreateTempSubdirectory("serving-ort-cache-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Create_SecondLoadOfTheSameFile_UsesTheCachedGraphAndAnswersTheSame()
    {
        var cache = Path.Combine(_root, "cache");
        var factory = Factory(cache);

        var first = factory.Create("credit-risk", 2, SourceModel());
        var second = factory.Create("credit-risk", 2, SourceModel());

        using (first.Session)
        using (second.Session)
        {
            Assert.Null(first.Error);
            Assert.Null(second.Error);
            Assert.False(first.FromCache);
            Assert.True(second.FromCache);
            var entry = Assert.Single(Directory.GetFiles(cache));
            Assert.StartsWith("credit-risk.2.", Path.GetFileName(entry), StringComparison.Ordinal);
            AssertMatchesNumpy(first.Session!);
            AssertMatchesNumpy(second.Session!);
        }
    }

    [Fact]
    public void Create_CorruptCacheEntry_LoadsTheSourceAndRewritesTheEntry()
    {
        var cache = Path.Combine(_root, "cache");
        var factory = Factory(cache);
        factory.Create("credit-risk", 2, SourceModel()).Session!.Dispose();
        var entry = Assert.Single(Directory.GetFiles(cache));
        File.WriteAllText(entry, "not an onnx model");

        var reloaded = factory.Create("credit-risk", 2, SourceModel());
        var again = factory.Create("credit-risk", 2, SourceModel());

        using (reloaded.Session)
        using (again.Session)
        {
            Assert.Null(reloaded.Error);
            Assert.False(reloaded.FromCache);
            AssertMatchesNumpy(reloaded.Session!);
            Assert.True(again.FromCache);
            AssertMatchesNumpy(again.Session!);
        }
    }

    [Fact]
    public void Create_ModelFileChangedSinceCached_MissesTheCache()
    {
        var cache = Path.Combine(_root, "cache");
        var model = Path.Combine(_root, "model.onnx");
        File.Copy(SourceModel(), model);
        var factory = Factory(cache);
        factory.Create("credit-risk", 2, model).Session!.Dispose();

        File.SetLastWriteTimeUtc(model, File.GetLastWriteTimeUtc(model).AddMinutes(1));
        var changed = factory.Create("credit-risk", 2, model);

        using (changed.Session)
        {
            Assert.Null(changed.Error);
            Assert.False(changed.FromCache);
            Assert.Equal(2, Directory.GetFiles(cache).Length);
        }
    }

    [Fact]
    public void Create_CacheDirectoryCannotBeCreated_LoadsTheModelUncached()
    {
        var blocker = Path.Combine(_root, "a-file");
        File.WriteAllText(blocker, "");
        var factory = Factory(Path.Combine(blocker, "cache"));

        var created = factory.Create("credit-risk", 2, SourceModel());

        using (created.Session)
        {
            Assert.Null(created.Error);
            Assert.False(created.FromCache);
            AssertMatchesNumpy(created.Session!);
        }
    }

    [Fact]
    public void Create_MissingModelFile_ReportsTheLoadErrorAsWithoutACache()
    {
        var factory = Factory(Path.Combine(_root, "cache"));

        var created = factory.Create("credit-risk", 2, Path.Combine(_root, "missing.onnx"));

        Assert.Null(created.Session);
        Assert.Contains("could not load", created.Error, StringComparison.Ordinal);
    }

    private static SessionFactory Factory(string cacheDirectory) => new(
        new OnnxRuntimeOptions { ExecutionProvider = "cpu", OptimizedModelCacheDirectory = cacheDirectory },
        NullLogger<SessionFactory>.Instance);

    private static string SourceModel() => Path.Combine(RepositoryPaths.Models, "credit-risk", "2", "model.onnx");

    private static void AssertMatchesNumpy(InferenceSession session)
    {
        int[] rows = [0, 7, 31];
        var features = new float[rows.Length * 12];
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(CreditRisk.Float32Bytes(rows)).CopyTo(features);
        using var input = OrtValue.CreateTensorValueFromMemory(features, [rows.Length, 12]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["features"], [input], ["probability"]);
        CreditRisk.AssertProbabilities(2, rows, outputs[0].GetTensorDataAsSpan<float>().ToArray());
    }
}
