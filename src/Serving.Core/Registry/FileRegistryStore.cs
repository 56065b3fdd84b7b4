using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>
/// The embedded registry: one JSON document per model (state and audit together) under
/// <c>&lt;state directory&gt;/registry/&lt;model&gt;.json</c>.
/// </summary>
/// <remarks>
/// Writes go to a temporary file that is flushed to disk and then renamed over the document, so a
/// reader or a crash sees the old document or the new one, never half of one. A commit holds a
/// per-process lock (shared by every instance on the same directory) and an exclusive OS lock on
/// <c>registry/.lock</c> (so two processes on one directory also serialize), then re-reads the
/// revision and writes only if it is still the expected one. The change feed reports commits made
/// through this instance.
/// </remarks>
internal sealed partial class FileRegistryStore : RegistryStoreBase
{
    private const string LockFileName = ".lock";
    private static readonly TimeSpan FileLockTimeout = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> ProcessLocks = new(StringComparer.Ordinal);

    private readonly string _directory;
    private readonly SemaphoreSlim _processLock;
    private readonly ILogger<FileRegistryStore> _logger;

    /// <summary>Opens (creating if needed) the registry under <paramref name="stateDirectory"/>.</summary>
    public FileRegistryStore(string stateDirectory, RegistryOptions options, TimeProvider timeProvider, ILogger<FileRegistryStore> logger)
        : base(options, timeProvider, logger)
    {
        _directory = Path.Combine(Path.GetFullPath(stateDirectory), "registry");
        Directory.CreateDirectory(_directory);
        _processLock = ProcessLocks.GetOrAdd(_directory, static _ => new SemaphoreSlim(1, 1));
        _logger = logger;
        LogOpened(_directory);
    }

    /// <inheritdoc />
    public override async Task<IReadOnlyList<ModelState>> ListAsync(CancellationToken cancellationToken = default)
    {
        var files = Directory.GetFiles(_directory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        var models = new List<ModelState>(files.Length);
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (ModelNames.IsValidModel(name) && await ReadAsync(file, cancellationToken).ConfigureAwait(false) is { } document)
            {
                models.Add(document.State);
            }
        }

        return models;
    }

    /// <inheritdoc />
    public override async Task<ModelState?> GetAsync(string model, CancellationToken cancellationToken = default) =>
        ModelNames.IsValidModel(model)
            ? (await ReadAsync(PathOf(model), cancellationToken).ConfigureAwait(false))?.State
            : null;

    /// <inheritdoc />
    public override async Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string model, CancellationToken cancellationToken = default)
    {
        if (!ModelNames.IsValidModel(model))
        {
            return [];
        }

        var document = await ReadAsync(PathOf(model), cancellationToken).ConfigureAwait(false);
        return document is null ? [] : document.Audit;
    }

    /// <inheritdoc />
    protected override async Task<bool> TryCommitAsync(string model, long expectedRevision, StateChange change, CancellationToken cancellationToken)
    {
        var path = PathOf(model);
        await _processLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var fileLock = await AcquireFileLockAsync(cancellationToken).ConfigureAwait(false);
            var stored = await ReadAsync(path, cancellationToken).ConfigureAwait(false);
            if ((stored?.State.Revision ?? 0) != expectedRevision)
            {
                return false;
            }

            var document = new ModelDocument(change.State, stored is null ? change.Audit : stored.Audit.AddRange(change.Audit));
            await WriteAtomicallyAsync(path, document, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _processLock.Release();
        }

        LogCommitted(model, change.State.Revision);
        NotifyChanged(model);
        return true;
    }

    private string PathOf(string model) => Path.Combine(_directory, model + ".json");

    private static Task<ModelDocument?> ReadAsync(string path, CancellationToken cancellationToken) =>
        JsonFileStore.ReadAsync(path, RegistryJsonContext.Default.ModelDocument, "registry document", cancellationToken);

    private static Task WriteAtomicallyAsync(string path, ModelDocument document, CancellationToken cancellationToken) =>
        JsonFileStore.WriteAtomicallyAsync(path, document, RegistryJsonContext.Default.ModelDocument, cancellationToken);

    private Task<FileStream> AcquireFileLockAsync(CancellationToken cancellationToken) =>
        JsonFileStore.AcquireLockAsync(Path.Combine(_directory, LockFileName), FileLockTimeout, cancellationToken);
}
