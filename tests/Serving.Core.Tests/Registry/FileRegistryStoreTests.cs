using Microsoft.Extensions.Logging.Abstractions;
using Serving.Core.Registry;
using Serving.Core.Rollouts;
using Serving.Testing.Registry;
using Serving.Testing.Rollouts;
using static Serving.Testing.Registry.RegistryTestData;

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
    public async Task GetAuditAsync_RegistryAndRolloutChanges_OneChainedTrail()
    {
        var store = CreateStore();
        using var rollouts = new FileRolloutStore(_stateDirectory, Time);
        await store.SeedAsync("fraud", [Version(3, ("auc", 0.8)), Version(4, ("auc", 0.9))]);
        var set = await rollouts.CompareAndSwapAsync(RolloutFixtures.Canary(10) with { UpdatedBy = "carol", Reason = "try v4" });
        await store.SetAliasAsync("fraud", "champion", 4, new ChangeContext("alice", "best auc"));
        await rollouts.DeleteAsync("fraud", set.Value!.Revision, new ChangeContext("dave", "done"));

        var trail = await store.GetAuditAsync("fraud");

        Assert.Equal([AuditAction.Register, AuditAction.Register, AuditAction.RolloutSet, AuditAction.AliasSet, AuditAction.RolloutDelete],
            trail.Select(static e => e.Action));
        Assert.Equal(("carol", "try v4", "canary: stable v3, canary v4, weight 10%"), (trail[2].Actor, trail[2].Reason, trail[2].After));
        Assert.Equal(("dave", "done"), (trail[4].Actor, trail[4].Reason));
        Assert.Equal(AuditChain.Genesis, trail[0].Previous);
        for (var i = 1; i < trail.Count; i++)
        {
            Assert.Equal(trail[i - 1].Hash, trail[i].Previous);
        }

        Assert.Equal(AuditVerification.Ok(5), await store.VerifyAuditAsync("fraud"));
    }

    [Fact]
    public async Task VerifyAuditAsync_EntryEditedInFile_NamesIt()
    {
        var store = CreateStore();
        await store.SeedAsync("fraud", [Version(3, ("auc", 0.8)), Version(4, ("auc", 0.9))]);
        await store.SetAliasAsync("fraud", "champion", 4, new ChangeContext("alice", "best auc"));
        var path = Path.Combine(_stateDirectory, "audit", "fraud.jsonl");
        var lines = await File.ReadAllLinesAsync(path);
        lines[2] = lines[2].Replace("\"alice\"", "\"mallory\"", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(path, lines);

        var verification = await store.VerifyAuditAsync("fraud");

        Assert.False(verification.Valid);
        Assert.Equal((3, 3), (verification.Entries, verification.FirstBroken!.Value));
        Assert.Contains("entry 3 was changed after it was written", verification.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAuditAsync_NewestEntryRemovedFromFile_SaysTruncatedExpectedAgainstFound()
    {
        var store = CreateStore();
        using var rollouts = new FileRolloutStore(_stateDirectory, Time);
        await store.SeedAsync("fraud", [Version(3, ("auc", 0.8)), Version(4, ("auc", 0.9))]);
        await rollouts.CompareAndSwapAsync(RolloutFixtures.Canary(10) with { UpdatedBy = "carol", Reason = "try v4" });
        await store.SetAliasAsync("fraud", "champion", 4, new ChangeContext("alice", "best auc"));
        Assert.Equal(AuditVerification.Ok(4), await store.VerifyAuditAsync("fraud"));
        var path = Path.Combine(_stateDirectory, "audit", "fraud.jsonl");
        var lines = await File.ReadAllLinesAsync(path);
        await File.WriteAllLinesAsync(path, lines[..^1]);

        var verification = await store.VerifyAuditAsync("fraud");

        Assert.Equal((false, 3, 4, 4L), (verification.Valid, verification.Entries, verification.FirstBroken, verification.ExpectedEntries));
        Assert.Equal("the trail was truncated: its head record says 4 entries, found 3; the newest entry (4) was removed", verification.Reason);

        // Later changes keep the removal visible: the head counts on from what it had recorded.
        await rollouts.CompareAndSwapAsync(RolloutFixtures.Canary(20) with { Revision = 1, UpdatedBy = "carol", Reason = "ramp" });
        var later = await store.VerifyAuditAsync("fraud");
        Assert.Equal((false, 4, 5L), (later.Valid, later.Entries, later.ExpectedEntries));
    }

    [Fact]
    public async Task VerifyAuditAsync_NewestEntriesReplacedOrHeadRemoved_SaysSo()
    {
        var store = CreateStore();
        await store.SeedAsync("fraud", [Version(3, ("auc", 0.8)), Version(4, ("auc", 0.9))]);
        await store.SetAliasAsync("fraud", "champion", 4, new ChangeContext("alice", "best auc"));
        var path = Path.Combine(_stateDirectory, "audit", "fraud.jsonl");
        var lines = await File.ReadAllLinesAsync(path);

        // Re-chained by hand after the last line was edited: the chain holds, the head record does not.
        var forged = AuditChain.Link(AuditChain.Parse(lines[1], 2, path).Hash!, [AuditChain.Parse(lines[2], 3, path) with { Actor = "mallory" }])[0];
        await File.WriteAllLinesAsync(path, [lines[0], lines[1], System.Text.Json.JsonSerializer.Serialize(forged, RegistryJsonContext.Default.AuditEntry)]);
        var replaced = await store.VerifyAuditAsync("fraud");
        File.Delete(Path.Combine(_stateDirectory, "audit", "fraud.head.json"));
        var headless = await store.VerifyAuditAsync("fraud");

        Assert.Equal((false, 3, 3), (replaced.Valid, replaced.Entries, replaced.FirstBroken!.Value));
        Assert.Contains("entry 3 is not the one the head record names", replaced.Reason, StringComparison.Ordinal);
        Assert.Equal((false, 3, (int?)null), (headless.Valid, headless.Entries, headless.FirstBroken));
        Assert.Contains("has no head record", headless.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAuditAsync_EntryRemovedFromFile_NamesTheOneAfterIt()
    {
        var store = CreateStore();
        await store.SeedAsync("fraud", [Version(3, ("auc", 0.8)), Version(4, ("auc", 0.9))]);
        await store.SetAliasAsync("fraud", "champion", 4, new ChangeContext("alice", "best auc"));
        var path = Path.Combine(_stateDirectory, "audit", "fraud.jsonl");
        var lines = (await File.ReadAllLinesAsync(path)).ToList();
        lines.RemoveAt(1);
        await File.WriteAllLinesAsync(path, lines);

        var verification = await store.VerifyAuditAsync("fraud");

        Assert.Equal((false, 2), (verification.Valid, verification.FirstBroken!.Value));
        Assert.Contains("does not follow entry 1", verification.Reason, StringComparison.Ordinal);
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
