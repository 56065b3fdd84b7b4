namespace Serving.Gateway.Inference;

/// <summary>
/// ONNX Runtime CUDA execution provider settings (<c>Serving:OnnxRuntime:Cuda:*</c>), applied to every version
/// that runs on CUDA. docs/gpu.md says what each does and why its default is what it is.
/// </summary>
public sealed class CudaOptions
{
    /// <summary>
    /// How the CUDA memory arena grows: <c>SameAsRequested</c> (by what is asked for) or <c>NextPowerOfTwo</c>
    /// (ONNX Runtime's own default, which can overshoot a memory limit by up to half). Default <c>SameAsRequested</c>.
    /// </summary>
    public string ArenaExtendStrategy { get; set; } = "SameAsRequested";

    /// <summary>
    /// How cuDNN picks a convolution algorithm for each new input shape: <c>Exhaustive</c> (benchmarks them
    /// all once per shape, then uses the fastest), <c>Heuristic</c> (cuDNN's guess, no benchmark) or
    /// <c>Default</c> (one fixed algorithm). Default <c>Exhaustive</c>, ONNX Runtime's own.
    /// </summary>
    public string CudnnConvAlgoSearch { get; set; } = "Exhaustive";

    /// <summary>
    /// Whether input and output copies run on the compute stream (ONNX Runtime's <c>do_copy_in_default_stream</c>).
    /// Default true, ONNX Runtime's own: one stream, so a copy never races the kernels that use it.
    /// </summary>
    public bool CopyInDefaultStream { get; set; } = true;

    /// <summary>
    /// Whether FP32 matrix products and convolutions may use TF32 tensor cores (ONNX Runtime's <c>use_tf32</c>).
    /// Default false: answers then equal the CPU build's to 1e-3; TF32 is faster and rounds inputs to 10 bits
    /// of mantissa.
    /// </summary>
    public bool UseTf32 { get; set; }

    /// <summary>
    /// Whether each CUDA version runs its batches as captured CUDA graphs (ONNX Runtime's <c>enable_cuda_graph</c>):
    /// one graph per padded batch size, captured at load, inputs and outputs in device memory at fixed addresses.
    /// Default false: unmeasured until a GPU run says it is faster (docs/gpu.md). Needs the CUDA provider and
    /// models whose dimensions are all fixed but the batch; a version that is not is refused.
    /// </summary>
    public bool Graphs { get; set; }
}
