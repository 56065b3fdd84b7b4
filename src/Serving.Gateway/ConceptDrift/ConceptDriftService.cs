using System.Text.Json;
using Microsoft.Extensions.Options;
using Serving.Gateway.Storage;

namespace Serving.Gateway.ConceptDrift;

/// <summary>
/// The concept-drift alarm's background side: restores the alarms that were firing at the last shutdown from
/// <c>&lt;state directory&gt;/concept-drift.json</c>, then every <see cref="ConceptDriftOptions.TickInterval"/>
/// re-sends firing alerts, resolves expired ones (<see cref="ConceptDriftMonitor.Tick"/>) and writes the file
/// when an alarm started or ended. A file that cannot be read or written is logged; the alarms work on.
/// </summary>
internal sealed partial class ConceptDriftService(
    ConceptDriftMonitor monitor,
    IOptions<ConceptDriftOptions> options,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<ConceptDriftService> logger) : BackgroundService
{
    private readonly string _path = Path.Combine(
        StorageOptions.From(configuration).StateDirectory, "concept-drift.json");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Restore();
        using var timer = new PeriodicTimer(options.Value.TickInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                TickOnce();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass: re-send, resolve, persist. Internal so tests can drive it.</summary>
    internal void TickOnce()
    {
        monitor.Tick();
        if (monitor.TakeChanged())
        {
            Save();
        }
    }

    private void Restore()
    {
        try
        {
            if (!File.Exists(_path))
            {
                return;
            }

            using var stream = File.OpenRead(_path);
            var records = JsonSerializer.Deserialize(stream, ConceptDriftJsonContext.Default.ListConceptDriftAlarmRecord) ?? [];
            monitor.Restore(records);
            monitor.TakeChanged();
            LogRestored(logger, records.Count, _path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            LogStateFailed(logger, _path, ex.Message);
        }
    }

    private void Save()
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
            var temporary = _path + ".tmp";
            File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(monitor.Firing(), ConceptDriftJsonContext.Default.ListConceptDriftAlarmRecord));
            File.Move(temporary, _path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStateFailed(logger, _path, ex.Message);
        }
    }

    [LoggerMessage(EventId = 6802, Level = LogLevel.Information, Message = "Concept drift: {Count} firing alarms restored from {Path}")]
    private static partial void LogRestored(ILogger logger, int count, string path);

    [LoggerMessage(EventId = 6803, Level = LogLevel.Warning, Message = "Concept drift: the alarm state file {Path} could not be used ({Reason})")]
    private static partial void LogStateFailed(ILogger logger, string path, string reason);
}
