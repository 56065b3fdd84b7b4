using System.Text;
using System.Text.Json;
using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>
/// The embedded audit trail: one append-only JSON-lines file per model under
/// <c>&lt;state directory&gt;/audit/&lt;model&gt;.jsonl</c>, shared by the registry and the rollout
/// file stores. Each entry is chained to the one before it (<see cref="AuditChain"/>) and flushed to
/// disk before the append returns; lines are never rewritten.
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

    /// <summary>Checks the model's chain as stored.</summary>
    public async Task<AuditVerification> VerifyAsync(string model, CancellationToken cancellationToken) =>
        AuditChain.Verify(await ReadLinesAsync(model, cancellationToken).ConfigureAwait(false));

    /// <summary>Chains <paramref name="entries"/> after the model's last entry and appends them.</summary>
    public async Task AppendAsync(string model, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        using var held = await _lock.AcquireAsync(cancellationToken).ConfigureAwait(false);
        var lines = await ReadLinesAsync(model, cancellationToken).ConfigureAwait(false);
        var head = lines.Count == 0 ? AuditChain.Genesis : AuditChain.Parse(lines[^1], lines.Count, PathOf(model)).Hash ?? string.Empty;
        var text = new StringBuilder();
        foreach (var entry in AuditChain.Link(head, entries))
        {
            text.Append(JsonSerializer.Serialize(entry, RegistryJsonContext.Default.AuditEntry)).Append('\n');
        }

        var stream = new FileStream(PathOf(model), FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
    }

    private string PathOf(string model) => Path.Combine(_directory, model + ".jsonl");

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
