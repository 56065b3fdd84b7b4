using System.Text.Json.Serialization;

namespace Serving.Core.Repository;

/// <summary>Per-model serving settings from <c>&lt;model&gt;/model.json</c>; null fields take the gateway's defaults.</summary>
public sealed record ModelSettings
{
    /// <summary>Most rows per ONNX Runtime call.</summary>
    [JsonPropertyName("max_batch_size")]
    public int? MaxBatchSize { get; init; }

    /// <summary>How long a partial batch may wait for more requests under load, in microseconds.</summary>
    [JsonPropertyName("max_queue_delay_us")]
    public int? MaxQueueDelayMicroseconds { get; init; }

    /// <summary>Most requests waiting for this model's version.</summary>
    [JsonPropertyName("max_queue_size")]
    public int? MaxQueueSize { get; init; }

    /// <summary>Drift monitoring thresholds and windows for this model.</summary>
    [JsonPropertyName("drift")]
    public DriftSettings? Drift { get; init; }
}
