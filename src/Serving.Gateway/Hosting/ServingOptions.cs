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

    /// <summary>
    /// Like Triton's strict readiness: when true, <c>/v2/health/ready</c> needs every model to have a
    /// version that answers. Default false: a model whose default version failed to load is reported
    /// in the readiness body and in <c>serving_model_version_state</c> but does not take the process out
    /// of its load balancer, where every other model still serves.
    /// </summary>
    public bool StrictReadiness { get; set; }

    /// <summary>Memory and rate limits on request bodies.</summary>
    public RequestLimits Limits { get; set; } = new();

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

    /// <summary>
    /// How long a leaving version waits for its requests in flight before it cancels them (they answer 503)
    /// and unloads. Default 30 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Forwarding and worker health settings.</summary>
    public ForwardingOptions Forwarding { get; set; } = new();

    /// <summary>Graceful stop on SIGTERM.</summary>
    public ShutdownOptions Shutdown { get; set; } = new();
}
