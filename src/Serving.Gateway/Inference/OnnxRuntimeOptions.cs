namespace Serving.Gateway.Inference;

/// <summary>ONNX Runtime session settings (<c>Serving:OnnxRuntime:*</c>).</summary>
public sealed class OnnxRuntimeOptions : ICheckedOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Serving:OnnxRuntime";

    private static readonly string[] Providers = ["auto", "cuda", "cpu"];
    private static readonly string[] Levels = ["disabled", "basic", "extended", "all"];

    /// <summary><c>auto</c> (CUDA when present, else CPU with a warning), <c>cuda</c> or <c>cpu</c>. Default <c>auto</c>.</summary>
    public string ExecutionProvider { get; set; } = "auto";

    /// <summary>CUDA device ordinal. Default 0.</summary>
    public int CudaDeviceId { get; set; }

    /// <summary>
    /// Threads one session uses inside an operator. Default 0: one per CPU this process may use
    /// (<see cref="Environment.ProcessorCount"/>, which honours container CPU limits; ONNX Runtime's own
    /// choice does not). Measured on two cores (loadtests/RESULTS.md, "ONNX Runtime options"): the
    /// image classifier answers 1.6x the requests at concurrency 16 with 2 threads than with 1, and
    /// credit-risk at concurrency 64 loses nothing.
    /// </summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads for running independent graph nodes in parallel. Default 1.</summary>
    public int InterOpThreads { get; set; } = 1;

    /// <summary>
    /// Whether ONNX Runtime's worker threads spin while waiting for work. Default false: spinning
    /// burns idle cores that the HTTP server and other processes need, and bought no throughput under
    /// load in the measurement; it does cut a lone compute-heavy request's latency (image classifier,
    /// concurrency 1: p50 1.3 ms to 1.0 ms), so turn it on for such models on dedicated cores.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>
    /// <c>disabled</c>, <c>basic</c>, <c>extended</c> or <c>all</c>. Default <c>all</c>: the image
    /// classifier answers 1.4x the requests of <c>basic</c> or <c>disabled</c>, credit-risk the same.
    /// </summary>
    public string GraphOptimizationLevel { get; set; } = "all";

    /// <summary>
    /// Directory where each version's optimized graph is written on first load and loaded from after
    /// (keyed by the model file, provider, level and ONNX Runtime version), or empty to optimize in
    /// memory on every load. Default empty: the shipped models load in 11 to 38 ms with or without it
    /// (optimizing them is not measurable); it pays off for large graphs whose optimization takes seconds.
    /// </summary>
    public string OptimizedModelCacheDirectory { get; set; } = "";

    /// <summary>
    /// GPU memory one version's CUDA arena may grow to, in bytes (ONNX Runtime's <c>gpu_mem_limit</c>), and
    /// what the version reserves from <see cref="GpuMemoryBudgetBytes"/>. Default 0: no limit (the arena
    /// may take the whole device) and nothing reserved. Used by the CUDA build only (docs/gpu.md).
    /// </summary>
    public long GpuMemoryLimitBytes { get; set; }

    /// <summary>
    /// GPU memory all CUDA versions together may reserve, in bytes: a load whose
    /// <see cref="GpuMemoryLimitBytes"/> would take the total past it is refused (the version is FAILED with
    /// the reason). Default 0: no total budget.
    /// </summary>
    public long GpuMemoryBudgetBytes { get; set; }

    /// <summary>CUDA execution provider settings (<c>Serving:OnnxRuntime:Cuda:*</c>).</summary>
    public CudaOptions Cuda { get; set; } = new();

    /// <inheritdoc/>
    public IEnumerable<string?> Problems()
    {
        yield return OneOf(nameof(ExecutionProvider), ExecutionProvider, Providers);
        yield return OneOf(nameof(GraphOptimizationLevel), GraphOptimizationLevel, Levels);
        yield return SettingRules.AtLeast(Section + ":" + nameof(CudaDeviceId), CudaDeviceId, 0);
        yield return SettingRules.AtLeast(Section + ":" + nameof(IntraOpThreads), IntraOpThreads, 0);
        yield return SettingRules.AtLeast(Section + ":" + nameof(InterOpThreads), InterOpThreads, 0);
        yield return SettingRules.AtLeast(Section + ":" + nameof(GpuMemoryLimitBytes), GpuMemoryLimitBytes, 0);
        yield return SettingRules.AtLeast(Section + ":" + nameof(GpuMemoryBudgetBytes), GpuMemoryBudgetBytes, 0);
        yield return CudaProviderSettings.For(this).Error;
    }

    private static string? OneOf(string name, string value, string[] allowed) =>
        allowed.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase)
            ? null
            : $"{Section}:{name} must be one of {string.Join(", ", allowed)}, was '{value}'.";
}
