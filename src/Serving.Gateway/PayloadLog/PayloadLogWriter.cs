using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Serving.Gateway.Storage;

namespace Serving.Gateway.PayloadLog;

/// <summary>
/// The file side of the payload log: drains the <see cref="PayloadLogger"/>'s queue into JSON-lines files
/// <c>payloads-&lt;UTC time&gt;.jsonl</c> in <see cref="PayloadLogOptions.Directory"/>, starting a new file before
/// one would exceed <see cref="PayloadLogOptions.MaxFileBytes"/> and deleting the oldest beyond
/// <see cref="PayloadLogOptions.MaxFiles"/> — so the log never holds more than MaxFiles × MaxFileBytes. A line
/// that cannot be written is counted (<c>failed</c>) and logged; the gateway serves on.
/// </summary>
internal sealed partial class PayloadLogWriter(
    PayloadLogger payloads,
    IOptions<PayloadLogOptions> options,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<PayloadLogWriter> logger) : BackgroundService
{
    private const string Prefix = "payloads-";
    private const string Extension = ".jsonl";

    private readonly ArrayBufferWriter<byte> _line = new(4096);
    private FileStream? _file;
    private int _sequence;

    /// <summary>The directory the files go to.</summary>
    public string Directory { get; } = options.Value.Directory is { Length: > 0 } directory
        ? directory
        : Path.Combine(StorageOptions.From(configuration).StateDirectory, "payloads");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!payloads.Enabled)
        {
            return;
        }

        try
        {
            while (await payloads.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                while (payloads.Reader.TryRead(out var record))
                {
                    Write(record);
                }

                await (_file?.FlushAsync(stoppingToken) ?? Task.CompletedTask).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            payloads.Complete();
            while (payloads.Reader.TryRead(out var record))
            {
                Write(record);
            }

            _file?.Dispose();
            _file = null;
        }
    }

    /// <summary>Closes the current file (after the loop stopped).</summary>
    public override void Dispose()
    {
        base.Dispose();
        _file?.Dispose();
        _file = null;
    }

    /// <summary>Writes one record as a line, rotating first when it would not fit. Internal so tests can drive it.</summary>
    internal void Write(PayloadRecord record)
    {
        try
        {
            _line.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_line))
            {
                PayloadJson.Write(writer, record);
            }

            _line.GetSpan(1)[0] = (byte)'\n';
            _line.Advance(1);
            if (_file is null || (_file.Length > 0 && _file.Length + _line.WrittenCount > options.Value.MaxFileBytes))
            {
                Rotate();
            }

            _file!.Write(_line.WrittenSpan);
            PayloadLogger.Written.Inc();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            PayloadLogger.Failed.Inc();
            LogWriteFailed(logger, Directory, ex.Message);
            _file?.Dispose();
            _file = null;
        }
    }

    private void Rotate()
    {
        _file?.Dispose();
        System.IO.Directory.CreateDirectory(Directory);
        var existing = System.IO.Directory.GetFiles(Directory, Prefix + "*" + Extension);
        Array.Sort(existing, StringComparer.Ordinal);
        for (int i = 0; i <= existing.Length - options.Value.MaxFiles; i++)
        {
            File.Delete(existing[i]);
        }

        // The name sorts by time; the sequence separates files begun in the same millisecond.
        var name = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{time.GetUtcNow():yyyyMMdd'T'HHmmss'.'fff'Z'}-{_sequence++:D6}{Extension}");
        _file = new FileStream(Path.Combine(Directory, name), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 64 * 1024);
    }

    [LoggerMessage(EventId = 6600, Level = LogLevel.Warning, Message = "Payload log: a record could not be written to {Directory} ({Reason}); it is lost")]
    private static partial void LogWriteFailed(ILogger logger, string directory, string reason);
}
