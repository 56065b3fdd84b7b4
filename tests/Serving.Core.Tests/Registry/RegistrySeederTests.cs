using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Registry;

namespace Serving.Core.Tests.Registry;

public sealed class RegistrySeederTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("serving-seed-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task SeedAsync_Repository_RegistersEveryModelWithHighestInProduction()
    {
        WriteVersion("credit-risk", 1, "v1 bytes", """{ "metrics": { "auc": 0.75 }, "code_commit": "aaa" }""");
        WriteVersion("credit-risk", 2, "v2 bytes", """
            {
              "description": "Probability of default",
              "features": ["age", "annual_income"],
              "metrics": { "auc": 0.781, "log_loss": 0.51 },
              "training_data_fingerprint": "sha256:4f1c",
              "code_commit": "3e1a9f2",
              "created": "2026-11-22T18:40:00Z",
              "tags": { "owner": "risk-team" },
            }
            """);
        WriteVersion("fraud", 7, "fraud bytes", metadata: null);
        Directory.CreateDirectory(Path.Combine(_root, "fraud", "8")); // no model.onnx: ignored
        Directory.CreateDirectory(Path.Combine(_root, "fraud", "latest")); // not a version: ignored
        using var store = NewStore(out var state);
        var seeder = new RegistrySeeder(store, new ModelRepository(_root, NullLogger<ModelRepository>.Instance), NullLogger<RegistrySeeder>.Instance);

        var seeded = await seeder.SeedAsync(CancellationToken.None);

        Assert.Equal(2, seeded);
        var credit = (await store.GetAsync("credit-risk"))!;
        Assert.Equal([ModelStage.Staging, ModelStage.Production], credit.Versions.Select(static v => v.Stage));
        var v2 = credit.FindVersion(2)!;
        Assert.Equal("credit-risk/2/model.onnx", v2.Artifact);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("v2 bytes"))), v2.Sha256);
        Assert.Equal(0.781, v2.Metrics["auc"]);
        Assert.Equal(["age", "annual_income"], v2.Features.ToArray());
        Assert.Equal("sha256:4f1c", v2.TrainingDataFingerprint);
        Assert.Equal("3e1a9f2", v2.CodeCommit);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 18, 40, 0, TimeSpan.Zero), v2.Created);
        Assert.Equal("risk-team", v2.Tags["owner"]);
        Assert.Equal("Probability of default", v2.Description);
        var fraud = (await store.GetAsync("fraud"))!;
        Assert.Equal(7, Assert.Single(fraud.Versions).Version);
        Assert.Equal(ModelStage.Production, fraud.Versions[0].Stage);
        Assert.All(await store.GetAuditAsync("credit-risk"), static e => Assert.Equal(("seed", AuditAction.Register), (e.Actor, e.Action)));
    }

    [Fact]
    public async Task SeedAsync_SecondStart_LeavesKnownModelsAlone()
    {
        WriteVersion("credit-risk", 1, "v1", metadata: null);
        using var store = NewStore(out _);
        var repository = new ModelRepository(_root, NullLogger<ModelRepository>.Instance);
        await new RegistrySeeder(store, repository, NullLogger<RegistrySeeder>.Instance).SeedAsync(CancellationToken.None);
        WriteVersion("credit-risk", 2, "v2", metadata: null);

        var seeded = await new RegistrySeeder(store, repository, NullLogger<RegistrySeeder>.Instance).SeedAsync(CancellationToken.None);

        Assert.Equal(0, seeded);
        Assert.Single((await store.GetAsync("credit-risk"))!.Versions);
    }

    [Fact]
    public async Task SeedAsync_InvalidMetadata_SeedsWithoutIt()
    {
        WriteVersion("credit-risk", 1, "v1", "{ broken");
        using var store = NewStore(out _);

        await new RegistrySeeder(store, new ModelRepository(_root, NullLogger<ModelRepository>.Instance), NullLogger<RegistrySeeder>.Instance)
            .SeedAsync(CancellationToken.None);

        Assert.Empty((await store.GetAsync("credit-risk"))!.Versions[0].Metrics);
    }

    private FileRegistryStore NewStore(out string stateDirectory)
    {
        stateDirectory = Path.Combine(_root, ".state");
        return new FileRegistryStore(stateDirectory, new RegistryOptions(), TimeProvider.System, NullLogger<FileRegistryStore>.Instance);
    }

    private void WriteVersion(string model, int version, string bytes, string? metadata)
    {
        var directory = Path.Combine(_root, model, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "model.onnx"), bytes);
        if (metadata is not null)
        {
            File.WriteAllText(Path.Combine(directory, "metadata.json"), metadata);
        }
    }
}
