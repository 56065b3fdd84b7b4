namespace Serving.Gateway.Batching;

/// <summary>Dynamic batching and queue limits used when a model's <c>model.json</c> does not set them.</summary>
public sealed class BatchingDefaults : ICheckedOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Serving:Batching";

    /// <summary>The most rows <see cref="MaxBatchSize"/> may be.</summary>
    public const int MaxBatchSizeLimit = 4096;

    /// <summary>Most rows one ONNX Runtime call may take. Default 32; 1 disables batching.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>
    /// How long a batch that is not full may wait for more requests, in microseconds, once requests
    /// are queueing. A lone request on an idle version never waits. Default 0 (batch what is queued).
    /// </summary>
    public int MaxQueueDelayMicroseconds { get; set; }

    /// <summary>
    /// <see cref="MaxQueueDelayMicroseconds"/> for versions that run on CUDA, where one batch of many rows costs
    /// little more than one row, so letting a batch fill under load multiplies throughput. As on CPU, a lone
    /// request on an idle version never waits. Default 1000 (1 ms; not yet measured on a GPU: docs/gpu.md).
    /// </summary>
    public int GpuMaxQueueDelayMicroseconds { get; set; } = 1000;

    /// <summary>Most requests waiting per version; beyond it requests get 503 with Retry-After. Default 256.</summary>
    public int MaxQueueSize { get; set; } = 256;

    /// <inheritdoc/>
    public IEnumerable<string?> Problems()
    {
        yield return SettingRules.Between(Section + ":" + nameof(MaxBatchSize), MaxBatchSize, 1, MaxBatchSizeLimit);
        yield return SettingRules.AtLeast(Section + ":" + nameof(MaxQueueDelayMicroseconds), MaxQueueDelayMicroseconds, 0);
        yield return SettingRules.AtLeast(Section + ":" + nameof(GpuMaxQueueDelayMicroseconds), GpuMaxQueueDelayMicroseconds, 0);
        yield return SettingRules.AtLeast(Section + ":" + nameof(MaxQueueSize), MaxQueueSize, 1);
    }
}
