using Microsoft.Extensions.Logging;
using Serving.Core.Repository;
using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>
/// The embedded registry: one JSON document per model under
/// <c>&lt;state directory&gt;/registry/&lt;model&gt;.json</c>, and the model's audit trail in
/// <see cref="FileAuditTrail"/> (shared with the rollout store).
/// </summary>
/// <remarks>
/// Writes go to a temporary file that is flushed to disk and then renamed over the document, so a
/// reader or a crash sees the old document or the new one, never half of one. A commit (<see cref="FileCompareAndSwap"/>) holds the
/// directory's <see cref="DirectoryLock"/>, re-reads the revision and writes only if it is still the
/// expected one, then appends the audit entries. The change feed reports commits made through this
/// instance. Documents written before the audit trail existed kept their audit inside; the first
/// commit moves it into the trail.
/// </remarks>
internal sealed partial class FileRegistryStore : RegistryStoreBase
{
    private readonly string _directory;
    private readonly DirectoryLock _lock;
    private readonly FileAuditTrail _audit;
    private readonly ILogger<FileRegistryStore> _logger;

    /// <summary>Opens (creating if needed) the registry under <paramref name="stateDirectory"/>.</summary>
    public FileRegistryStore(string stateDirectory, RegistryOptions options, TimeProvider timeProvider, ILogger<FileRegistryStore> logger)
        : base(options, timeProvider, logger)
    {
        _directory = Path.Combine(Path.GetFullPath(stateDirectory), "registry");
        _lock = new DirectoryLock(_directory);
        _audit = new FileAuditTrail(stateDirectory);
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

        var trail = await _audit.ReadAsync(model, cancellationToken).ConfigureAwait(false);
        if (trail.Count > 0)
        {
            return trail;
        }

        var document = await ReadAsync(PathOf(model), cancellationToken).ConfigureAwait(false);
        return document is null ? [] : document.Audit;
    }

    /// <inheritdoc />
    public override Task<AuditVerification> VerifyAuditAsync(string model, CancellationToken cancellationToken = default) =>
        ModelNames.IsValidModel(model) ? _audit.VerifyAsync(model, cancellationToken) : Task.FromResult(AuditVerification.Ok(0));

    /// <inheritdoc />
    protected override async Task<bool> TryCommitAsync(string model, long expectedRevision, StateChange change, CancellationToken cancellationToken)
    {
        var path = PathOf(model);
        var (committed, _) = await FileCompareAndSwap.RunAsync(
            _lock, path, RegistryJsonContext.Default.ModelDocument, "registry document", static found => found?.State.Revision ?? 0, expectedRevision,
            async found =>
            {
                if (found is { Audit.IsEmpty: false })
                {
                    await _audit.AppendAsync(model, found.Audit, cancellationToken).ConfigureAwait(false);
                }

                await WriteAtomicallyAsync(path, new ModelDocument(change.State, []), cancellationToken).ConfigureAwait(false);
                await _audit.AppendAsync(model, change.Audit, cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        if (!committed)
        {
            return false;
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
}
