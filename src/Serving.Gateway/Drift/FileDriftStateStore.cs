using System.Text.Json;

namespace Serving.Gateway.Drift;

/// <summary>
/// Keeps each version's drift state in <c>{StateDirectory}/drift/{model}@{version}.json</c>, replaced
/// atomically (written to a temporary file, then renamed over the old one).
/// </summary>
internal sealed partial class FileDriftStateStore(string stateDirectory, ILogger<FileDriftStateStore> logger) : IDriftStateStore
{
    private readonly string _directory = Path.Combine(stateDirectory, "drift");

    public async Task<DriftVersionState?> LoadAsync(string model, string version, CancellationToken cancellationToken)
    {
        var path = PathOf(model, version);
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync(stream, DriftStateJsonContext.Default.DriftVersionState, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            LogFailed(logger, "read", path, ex);
            return null;
        }
    }

    public async Task<bool> SaveAsync(string model, string version, DriftVersionState state, CancellationToken cancellationToken)
    {
        var path = PathOf(model, version);
        var temporary = path + ".tmp";
        try
        {
            Directory.CreateDirectory(_directory);
            await using (var stream = File.Create(temporary))
            {
                await JsonSerializer.SerializeAsync(stream, state, DriftStateJsonContext.Default.DriftVersionState, cancellationToken).ConfigureAwait(false);
            }
            File.Move(temporary, path, overwrite: true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogFailed(logger, "write", path, ex);
            return false;
        }
    }

    public Task<bool> DeleteAsync(string model, string version, CancellationToken cancellationToken)
    {
        var path = PathOf(model, version);
        try
        {
            File.Delete(path);
            return Task.FromResult(true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogFailed(logger, "delete", path, ex);
            return Task.FromResult(false);
        }
    }

    private string PathOf(string model, string version) =>
        Path.Combine(_directory, Uri.EscapeDataString(model) + "@" + Uri.EscapeDataString(version) + ".json");

    [LoggerMessage(EventId = 4301, Level = LogLevel.Error, Message = "Could not {Operation} the drift state file {Path}")]
    private static partial void LogFailed(ILogger logger, string operation, string path, Exception exception);
}
