using Serving.Gateway.Remote;

namespace Serving.Gateway.Hosting;

/// <summary>Start-up settings of the gateway, bound from the <c>Serving</c> configuration section.</summary>
public sealed class ServingOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Serving";

    /// <summary>Directory of the model repository (<c>&lt;model&gt;/&lt;version&gt;/model.onnx</c>). Default <c>models</c>.</summary>
    public string ModelRepository { get; set; } = "models";

    /// <summary>Largest accepted request body in bytes; larger ones get 413. Default 32 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>ONNX Runtime settings shared by every loaded version.</summary>
    public OnnxRuntimeOptions OnnxRuntime { get; set; } = new();

    /// <summary>Batching and queueing defaults; a model's <c>model.json</c> overrides them.</summary>
    public BatchingDefaults Batching { get; set; } = new();

    /// <summary>Limits on shadow copies of requests.</summary>
    public ShadowOptions Shadow { get; set; } = new();

    /// <summary>What this process does: <c>all</c> (the default), <c>gateway</c> or <c>worker</c>.</summary>
    public ServingRole Role { get; set; } = ServingRole.All;

    /// <summary>
    /// Workers that host versions for this process. Requests for a model or version that is not loaded
    /// here are forwarded to them; a version loaded here is always served here. Default none.
    /// </summary>
    public List<WorkerOptions> Workers { get; set; } = [];

    /// <summary>Forwarding and worker health settings.</summary>
    public ForwardingOptions Forwarding { get; set; } = new();

    /// <summary>Graceful stop on SIGTERM.</summary>
    public ShutdownOptions Shutdown { get; set; } = new();
}
