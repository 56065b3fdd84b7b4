namespace Serving.Gateway.Hosting;

/// <summary>ONNX Runtime session settings (<c>Serving:OnnxRuntime:*</c>).</summary>
public sealed class OnnxRuntimeOptions
{
    /// <summary><c>auto</c> (CUDA when present, else CPU with a warning), <c>cuda</c> or <c>cpu</c>. Default <c>auto</c>.</summary>
    public string ExecutionProvider { get; set; } = "auto";

    /// <summary>CUDA device ordinal. Default 0.</summary>
    public int CudaDeviceId { get; set; }

    /// <summary>
    /// Threads one session uses inside an operator. Default 1: the gateway already runs requests in
    /// parallel across versions and batches concurrent requests, so extra intra-op threads mostly
    /// compete with Kestrel for cores (see loadtests/RESULTS.md for the measurement).
    /// 0 lets ONNX Runtime choose (one per physical core).
    /// </summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Threads for running independent graph nodes in parallel. Default 1.</summary>
    public int InterOpThreads { get; set; } = 1;

    /// <summary>
    /// Whether ONNX Runtime's worker threads spin while waiting for work. Default false: spinning
    /// burns cores that the HTTP server needs on small machines.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary><c>disabled</c>, <c>basic</c>, <c>extended</c> or <c>all</c>. Default <c>all</c>.</summary>
    public string GraphOptimizationLevel { get; set; } = "all";

    /// <summary>
    /// Directory where each version's optimized graph is written on first load and reused after, or
    /// empty to optimize in memory on every load. Default empty.
    /// </summary>
    public string OptimizedModelCacheDirectory { get; set; } = "";
}
