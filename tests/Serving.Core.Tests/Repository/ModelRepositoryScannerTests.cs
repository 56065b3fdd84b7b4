using Serving.Core.Repository;
using Serving.Testing.Common;

namespace Serving.Core.Tests.Repository;

public sealed class ModelRepositoryScannerTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("serving-scan-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Scan_ModelsFolder_FindsEveryVersionWithSettingsAndMetadata()
    {
        var found = ModelRepositoryScanner.Scan(Path.Combine(RepositoryPaths.Root, "models"));

        Assert.Equal(["credit-risk/1", "credit-risk/2", "image-classifier/1"], found.Select(static v => $"{v.Model}/{v.Version}"));
        var v2 = found[1];
        Assert.Equal(64, v2.Settings.MaxBatchSize);
        Assert.Equal(200, v2.Settings.MaxQueueDelayMicroseconds);
        Assert.Equal(256, v2.Settings.MaxQueueSize);
        Assert.Null(v2.MetadataError);
        Assert.Equal("features", v2.Metadata.FeatureInput);
        Assert.Equal("probability", v2.Metadata.PredictionOutput);
        Assert.Equal(12, v2.Metadata.Features!.Count);
        Assert.True(Path.IsPathRooted(v2.ModelPath));
        Assert.True(File.Exists(v2.ModelPath));
        Assert.NotNull(v2.ReferencePath);
        Assert.Null(found[2].ReferencePath);
    }

    [Fact]
    public void Scan_UnseenRepository_VersionsWithoutMetadataOrSettings()
    {
        var found = ModelRepositoryScanner.Scan(Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "unseen-repo"));

        Assert.Equal(["broken/1", "broken/2", "dtypes/1", "fixed/1", "ranker/1"], found.Select(static v => $"{v.Model}/{v.Version}"));
        Assert.All(found, static v =>
        {
            Assert.Null(v.Settings.MaxBatchSize);
            Assert.Null(v.Metadata.Description);
            Assert.Null(v.MetadataError);
        });
    }

    [Fact]
    public void Scan_MissingRoot_ReturnsNothing()
    {
        Assert.Empty(ModelRepositoryScanner.Scan(Path.Combine(_temp, "nope")));
    }

    [Fact]
    public void Scan_OddEntries_SkipsThemAndKeepsTheRest()
    {
        Touch("good", "10", "model.onnx");
        Touch("good", "9", "model.onnx");
        Touch("good", "0", "model.onnx");
        Touch("good", "latest", "model.onnx");
        Touch("good", "-3", "model.onnx");
        Touch("good", "09", "model.onnx");
        Touch("good", "4", "weights.bin");
        Touch(".hidden", "1", "model.onnx");
        Touch("bad name", "1", "model.onnx");

        var found = ModelRepositoryScanner.Scan(_temp);

        Assert.Equal(["good/9", "good/10"], found.Select(static v => $"{v.Model}/{v.Version}"));
    }

    [Fact]
    public void Scan_ModelDirectoryLinkedOutside_IsNotListed()
    {
        var outside = Directory.CreateTempSubdirectory("serving-outside-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(outside, "1"));
            File.WriteAllText(Path.Combine(outside, "1", "model.onnx"), "outside");
            Directory.CreateSymbolicLink(Path.Combine(_temp, "escape"), outside);
            Touch("m", "1", "model.onnx");
            Directory.CreateSymbolicLink(Path.Combine(_temp, "m", "2"), Path.Combine(_temp, "m", "1"));

            var found = ModelRepositoryScanner.Scan(_temp);

            // A link inside the repository is followed; one leading out is not.
            Assert.Equal(["m/1", "m/2"], found.Select(static v => $"{v.Model}/{v.Version}"));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public void Scan_UnreadableMetadataAndSettings_VersionListedWithTheError()
    {
        Touch("m", "1", "model.onnx");
        File.WriteAllText(Path.Combine(_temp, "m", "1", "metadata.json"), "{ not json");
        File.WriteAllText(Path.Combine(_temp, "m", "model.json"), "[1, 2");

        var found = Assert.Single(ModelRepositoryScanner.Scan(_temp));

        Assert.StartsWith("metadata.json could not be read", found.MetadataError, StringComparison.Ordinal);
        Assert.Null(found.Settings.MaxQueueSize);
    }

    [Fact]
    public void Scan_SettingsWithCommentsAndTrailingCommas_AreRead()
    {
        Touch("m", "1", "model.onnx");
        File.WriteAllText(Path.Combine(_temp, "m", "model.json"), "{ // batching\n \"max_batch_size\": 8, \"max_queue_size\": 3, }");

        var found = Assert.Single(ModelRepositoryScanner.Scan(_temp));

        Assert.Equal(8, found.Settings.MaxBatchSize);
        Assert.Equal(3, found.Settings.MaxQueueSize);
    }

    [Theory]
    [InlineData("credit-risk", true)]
    [InlineData("a.b_c-1", true)]
    [InlineData(".git", false)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("a/b", false)]
    [InlineData("caf\u00e9", false)]
    [InlineData("a\n", false)]
    [InlineData("credit-risk\n", false)]
    public void IsValidModelName_Name_Expected(string name, bool expected)
    {
        Assert.Equal(expected, ModelRepositoryScanner.IsValidModelName(name));
    }

    private void Touch(string model, string version, string file)
    {
        var dir = Path.Combine(_temp, model, version);
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, file), [0]);
    }
}
