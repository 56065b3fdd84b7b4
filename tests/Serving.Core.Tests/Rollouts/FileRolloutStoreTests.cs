using System.Text.Json;
using Serving.Core.Rollouts;
using Serving.Testing.Rollouts;

namespace Serving.Core.Tests.Rollouts;

public sealed class FileRolloutStoreTests : RolloutStoreContractTests
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "rollouts-" + Guid.NewGuid().ToString("N"));

    private protected override IRolloutStore CreateStore() => new FileRolloutStore(_stateDirectory);

    [Fact]
    public async Task CompareAndSwapAsync_Commit_OneReadableJsonFileNoTemporaries()
    {
        using var store = new FileRolloutStore(_stateDirectory);

        await store.CompareAndSwapAsync(RolloutFixtures.Canary(2.5));

        string[] files = Directory.GetFiles(store.PolicyDirectory).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).ToArray();
        string file = Assert.Single(files);
        Assert.Equal("fraud.json", Path.GetFileName(file));
        using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        Assert.Equal(1, json.RootElement.GetProperty("revision").GetInt64());
        Assert.Equal(2.5, json.RootElement.GetProperty("canary").GetProperty("weight").GetDouble());
    }

    [Fact]
    public async Task GetAsync_CorruptFile_ThrowsInvalidData()
    {
        using var store = new FileRolloutStore(_stateDirectory);
        await File.WriteAllTextAsync(Path.Combine(store.PolicyDirectory, "fraud.json"), "{ not json");

        await Assert.ThrowsAsync<InvalidDataException>(() => store.GetAsync("fraud"));
    }

    [Fact]
    public async Task GetAsync_HandEditedFile_Read()
    {
        using var store = new FileRolloutStore(_stateDirectory);
        await File.WriteAllTextAsync(Path.Combine(store.PolicyDirectory, "fraud.json"), """
            {
              // an SRE's hand edit, with a comment and a trailing comma
              "model": "fraud", "revision": 4, "mode": "blue_green",
              "blue_green": { "active_version": 2, "preview_version": 3, },
            }
            """);

        RolloutPolicy? policy = await store.GetAsync("fraud");

        Assert.Equal(4, policy!.Revision);
        Assert.Equal(3, policy.BlueGreen!.PreviewVersion);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }
}
