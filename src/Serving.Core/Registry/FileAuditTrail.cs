using System.Text;
using System.Text.Json;
using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>
/// The embedded audit trail: one append-only JSON-lines file per model under
/// <c>&lt;state directory&gt;/audit/&lt;model&gt;.jsonl</c>, shared by the registry and the rollout
/// file stores. Each entry is chained to the one before it (<see cref="AuditChain"/>) and flushed to
/// disk before the append returns; lines are never rewritten. The trail's head record
/// (<see cref="AuditHead"/>) is <c>&lt;model&gt;.head.json</c> beside it, replaced atomically right after
/// each append under the same lock, so removing the newest lines shows in <see cref="VerifyAsync"/>.
/// </summary>
internal sealed class FileAuditTrail
{
    private readonly string _directory;
    private readonly DirectoryLock _lock;

    /// <summary>Opens (creating if needed) the trail under <paramref name="stateDirectory"/>.</summary>
    public FileAuditTrail(string stateDirectory)
    {
        _directory = Path.Combine(Path.GetFullPath(stateDirectory), "audit");
        _lock = new DirectoryLock(_directory);
    }

    /// <summary>The model's entries, oldest first; empty when it has none.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(string model, CancellationToken cancellationToken)
    {
        var lines = await ReadLinesAsync(model, cancellationToken).ConfigureAwait(false);
        var entries = new List<AuditEntry>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            entries.Add(AuditChain.Parse(lines[i], i + 1, PathOf(model)));
        }

        return entries;
    }

    /// <summary>Checks the model's chain as stored, and that it ends where its head record says.</summary>
    public async Task<AuditVerification> VerifyAsync(string model, CancellationToken cancellationToken)
    {
        // Under the lock: an append in between the two reads would look like a removal.
        using var held = await _lock.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var head = await ReadHeadAsync(model, cancellationToken).ConfigureAwait(false);
        return AuditChain.Verify(await ReadLinesAsync(model, cancellationToken).ConfigureAwait(false), head);
    }

    /// <summary>Chains <paramref name="entries"/> after the model's last entry and appends them.</summary>
    public async Task AppendAsync(string model, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        using var held = await _lock.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var lines = await ReadLinesAsync(model, cancellationToken).ConfigureAwait(false);
        var recorded = await ReadHeadAsync(model, cancellationToken).ConfigureAwait(false);
        var head = lines.Count == 0 ? AuditChain.Genesis : AuditChain.Parse(lines[^1], lines.Count, PathOf(model)).Hash ?? string.Empty;
        var text = new StringBuilder();
        var linked = AuditChain.Link(head, entries);
        foreach (var entry in linked)
        {
            text.Append(JsonSerializer.Serialize(entry, RegistryJsonContext.Default.AuditEntry)).Append('\n');
        }

        var stream = new FileStream(PathOf(model), FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        // After the lines: a crash in between leaves entries beyond the head (accepted, and counted by the
        // next append), never a head beyond the entries (which would read as a removal).
        var next = new AuditHead(AuditHead.NextCount(recorded, lines.Count, linked.Length), linked[^1].Hash!);
        await JsonFileStore.WriteAtomicallyAsync(HeadPathOf(model), next, RegistryJsonContext.Default.AuditHead, cancellationToken).ConfigureAwait(false);
    }

    private string PathOf(string model) => Path.Combine(_directory, model + ".jsonl");

    private string HeadPathOf(string model) => Path.Combine(_directory, model + ".head.json");

    private Task<AuditHead?> ReadHeadAsync(string model, CancellationToken cancellationToken) =>
        JsonFileStore.ReadAsync(HeadPathOf(model), RegistryJsonContext.Default.AuditHead, "audit head record", cancellationToken);

    private async Task<IReadOnlyList<string>> ReadLinesAsync(string model, CancellationToken cancellationToken)
    {
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync(PathOf(model), cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return [];
        }

        var nonEmpty = new List<string>(lines.Length);
        foreach (var line in lines)
        {
            if (line.Length > 0)
            {
                nonEmpty.Add(line);
            }
        }

        return nonEmpty;
    }
}
