using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Registry;
using static Serving.Core.Tests.Registry.RegistryTestData;

namespace Serving.Core.Tests.Registry;

public sealed class FileRegistryStoreTests : RegistryStoreContractTests
{
    private readonly string _stateDirectory = Directory.CreateTempSubdirectory("serving-registry-").FullName;

    internal override IRegistryStore CreateStoreCore(RegistryOptions options) =>
        new FileRegistryStore(_stateDirectory, options, Time, NullLogger<FileRegistryStore>.Instance);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_stateDirectory, recursive: true);
    }

    [Fact]
    public async Task RegisterAsync_ManyWrites_LeavesOneDocumentAndNoTemporaryFiles()
    {
        var store = CreateStore();
        for (var i = 1; i <= 5; i++)
        {
            await store.RegisterAsync("credit-risk", Version(i), new ChangeContext("alice", null));
        }

        var files = Directory.GetFiles(Path.Combine(_stateDirectory, "registry")).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal([".lock", "credit-risk.json"], files);
    }

    [Fact]
    public async Task GetAsync_CorruptDocument_ThrowsInvalidData()
    {
        var store = CreateStore();
        await File.WriteAllTextAsync(Path.Combine(_stateDirectory, "registry", "broken.json"), "{ not json");

        await Assert.ThrowsAsync<InvalidDataException>(() => store.GetAsync("broken"));
    }

    [Fact]
    public async Task WatchAsync_ChangeThroughAnotherInstance_IsNotReported()
    {
        var watched = CreateStore();
        var other = CreateStore();
        using var cts = new CancellationTokenSource();
        await using var feed = watched.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = feed.MoveNextAsync().AsTask();

        await other.RegisterAsync("credit-risk", Version(1), new ChangeContext("alice", null));
        await watched.RegisterAsync("fraud", Version(1), new ChangeContext("alice", null));

        Assert.True(await next);
        Assert.Equal("fraud", feed.Current);
    }
}
