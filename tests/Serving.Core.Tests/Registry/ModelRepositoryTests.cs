using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Registry;
using Serving.Core.Storage;

namespace Serving.Core.Tests.Registry;

public sealed class ModelRepositoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("serving-repo-").FullName;
    private readonly ModelRepository _repository;

    public ModelRepositoryTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "repo", "m", "1"));
        File.WriteAllText(Path.Combine(_root, "repo", "m", "1", "model.onnx"), "abc");
        File.WriteAllText(Path.Combine(_root, "secret.onnx"), "outside");
        _repository = new ModelRepository(Path.Combine(_root, "repo"), NullLogger<ModelRepository>.Instance);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("../secret.onnx")]
    [InlineData("m/../../secret.onnx")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/x/model.onnx")]
    [InlineData("m\\1\\model.onnx")]
    [InlineData("m//1/model.onnx")]
    [InlineData("./m/1/model.onnx")]
    [InlineData("")]
    public void ResolveArtifact_TraversalOrMalformed_IsRefused(string path)
    {
        var result = _repository.ResolveArtifact(path);

        Assert.Equal(StoreErrorCode.InvalidArgument, result.Error?.Code);
    }

    [Fact]
    public void ResolveArtifact_MissingFile_IsRefused()
    {
        var result = _repository.ResolveArtifact("m/2/model.onnx");

        Assert.Contains("does not exist", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveArtifact_SymlinkLeavingRepository_IsRefused()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "repo", "m", "1", "link.onnx"), Path.Combine(_root, "secret.onnx"));

        var result = _repository.ResolveArtifact("m/1/link.onnx");

        Assert.Contains("outside", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveArtifact_DirectorySymlinkToEtc_IsRefused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "repo", "escape"), "/etc");

        var result = _repository.ResolveArtifact("escape/passwd");

        Assert.Equal(StoreErrorCode.InvalidArgument, result.Error?.Code);
        Assert.Contains("outside", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveArtifact_DirectorySymlinkInsideRepository_IsAccepted()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "repo", "m", "current"), Path.Combine(_root, "repo", "m", "1"));

        var result = _repository.ResolveArtifact("m/current/model.onnx");

        Assert.True(result.IsSuccess, result.Error?.Message);
    }

    [Fact]
    public void ResolveArtifact_LinkedDirectoryWithLinkedParent_IsRefused()
    {
        // repo/m/2 -> repo/out, and repo/out -> the directory above the repository: two hops, the second outside.
        Directory.CreateSymbolicLink(Path.Combine(_root, "repo", "out"), _root);
        Directory.CreateSymbolicLink(Path.Combine(_root, "repo", "m", "2"), Path.Combine(_root, "repo", "out"));

        var result = _repository.ResolveArtifact("m/2/secret.onnx");

        Assert.Contains("outside", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScanAsync_VersionDirectoryLinkedOutside_IsNotListed()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_root, "elsewhere", "7")).FullName;
        File.WriteAllText(Path.Combine(outside, "model.onnx"), "outside");
        Directory.CreateSymbolicLink(Path.Combine(_root, "repo", "m", "7"), outside);

        var models = await _repository.ScanAsync(CancellationToken.None);

        var m = Assert.Single(models);
        Assert.Equal([1], m.Versions.Select(v => v.Version!.Value));
    }

    [Fact]
    public async Task InspectAsync_ExistingArtifact_HashesItsBytes()
    {
        var result = await _repository.InspectAsync("m/1/model.onnx", CancellationToken.None);

        Assert.True(result.IsSuccess, result.Error?.Message);
        // SHA-256("abc"), the FIPS 180-2 test vector.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", result.Value.Sha256);
        Assert.Null(result.Value.Version);
    }

    [Fact]
    public async Task InspectAsync_InvalidMetadata_IsRefused()
    {
        File.WriteAllText(Path.Combine(_root, "repo", "m", "1", "metadata.json"), "[1,");

        var result = await _repository.InspectAsync("m/1/model.onnx", CancellationToken.None);

        Assert.Equal(StoreErrorCode.InvalidArgument, result.Error?.Code);
    }

    [Fact]
    public async Task ScanAsync_MissingRoot_ReturnsNothing()
    {
        var repository = new ModelRepository(Path.Combine(_root, "absent"), NullLogger<ModelRepository>.Instance);

        Assert.Empty(await repository.ScanAsync(CancellationToken.None));
    }
}
