namespace Serving.Gateway.PayloadLog;

/// <summary>The payload log (<c>Serving:PayloadLog:*</c>): a sample of requests and responses in rotating JSON-lines files. Off by default.</summary>
public sealed class PayloadLogOptions : ICheckedOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Serving:PayloadLog";

    /// <summary>The share of answered requests logged, 0 to 1. Default 0: off (nothing is captured, no file is opened).</summary>
    public double SampleRate { get; set; }

    /// <summary>The directory of the files. Default empty: <c>&lt;Serving:StateDirectory&gt;/payloads</c>.</summary>
    public string Directory { get; set; } = "";

    /// <summary>
    /// The most bytes of tensor data one record carries (inputs and outputs together, raw); a larger request is
    /// logged with its names, types and shapes only (<c>"truncated": true</c>). Default 65536.
    /// </summary>
    public int MaxRecordBytes { get; set; } = 64 * 1024;

    /// <summary>The size at which the current file is closed and a new one begun. Default 16 MiB.</summary>
    public long MaxFileBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Files kept; the oldest is deleted when a new one would exceed this. Default 10.</summary>
    public int MaxFiles { get; set; } = 10;

    /// <summary>Records waiting for the writer; when full a new record is dropped and counted, the request never waits. Default 1024.</summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <inheritdoc/>
    public IEnumerable<string?> Problems()
    {
        yield return SettingRules.Between(Section + ":" + nameof(SampleRate), SampleRate, 0.0, 1.0);
        yield return SettingRules.AtLeast(Section + ":" + nameof(MaxRecordBytes), MaxRecordBytes, 0);
        yield return SettingRules.AtLeast(Section + ":" + nameof(MaxFileBytes), MaxFileBytes, 1);
        yield return SettingRules.AtLeast(Section + ":" + nameof(MaxFiles), MaxFiles, 1);
        yield return SettingRules.AtLeast(Section + ":" + nameof(QueueCapacity), QueueCapacity, 1);
    }
}
