using System.Globalization;

namespace Serving.Gateway.Inference;

/// <summary>
/// Maps the gateway's CUDA settings (<see cref="OnnxRuntimeOptions"/>, <see cref="CudaOptions"/>) to the
/// key/value options of ONNX Runtime's CUDA execution provider (<c>OrtCUDAProviderOptions.UpdateOptions</c>).
/// A setting with a value the provider does not know is an error that names the setting and its choices.
/// </summary>
internal static class CudaProviderSettings
{
    /// <summary>The provider options for <paramref name="options"/>, or an error naming the bad setting.</summary>
    public static (Dictionary<string, string>? Options, string? Error) For(OnnxRuntimeOptions options)
    {
        var cuda = options.Cuda;
        var arena = cuda.ArenaExtendStrategy.Trim().ToLowerInvariant() switch
        {
            "sameasrequested" => "kSameAsRequested",
            "nextpoweroftwo" => "kNextPowerOfTwo",
            _ => null,
        };
        if (arena is null)
        {
            return (null, $"Unknown Serving:OnnxRuntime:Cuda:ArenaExtendStrategy '{cuda.ArenaExtendStrategy}'; use SameAsRequested or NextPowerOfTwo.");
        }
        var search = cuda.CudnnConvAlgoSearch.Trim().ToLowerInvariant() switch
        {
            "exhaustive" => "EXHAUSTIVE",
            "heuristic" => "HEURISTIC",
            "default" => "DEFAULT",
            _ => null,
        };
        if (search is null)
        {
            return (null, $"Unknown Serving:OnnxRuntime:Cuda:CudnnConvAlgoSearch '{cuda.CudnnConvAlgoSearch}'; use Exhaustive, Heuristic or Default.");
        }
        if (options.GpuMemoryLimitBytes < 0 || options.GpuMemoryBudgetBytes < 0)
        {
            return (null, "Serving:OnnxRuntime:GpuMemoryLimitBytes and GpuMemoryBudgetBytes must be 0 (none) or a positive number of bytes.");
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["device_id"] = options.CudaDeviceId.ToString(CultureInfo.InvariantCulture),
            ["arena_extend_strategy"] = arena,
            ["cudnn_conv_algo_search"] = search,
            ["do_copy_in_default_stream"] = cuda.CopyInDefaultStream ? "1" : "0",
            ["use_tf32"] = cuda.UseTf32 ? "1" : "0",
        };
        if (options.GpuMemoryLimitBytes > 0)
        {
            map["gpu_mem_limit"] = options.GpuMemoryLimitBytes.ToString(CultureInfo.InvariantCulture);
        }
        if (cuda.Graphs)
        {
            map["enable_cuda_graph"] = "1";
        }
        return (map, null);
    }
}
