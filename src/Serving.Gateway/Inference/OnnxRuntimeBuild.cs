using System.Reflection;
using System.Runtime.InteropServices;

namespace Serving.Gateway.Inference;

/// <summary>
/// The ONNX Runtime package this binary was built with (the MSBuild property <c>OnnxRuntimeFlavor</c>:
/// <c>Cpu</c> for <c>Microsoft.ML.OnnxRuntime</c>, <c>Gpu</c> for <c>Microsoft.ML.OnnxRuntime.Gpu</c>) and the
/// CUDA and cuDNN majors the GPU package's CUDA provider needs, both written into the assembly by the build.
/// </summary>
internal static class OnnxRuntimeBuild
{
    /// <summary><c>Cpu</c> or <c>Gpu</c>.</summary>
    public static string Flavor { get; } = Metadata("OnnxRuntimeFlavor") ?? "Cpu";

    /// <summary>The pinned ONNX Runtime package version of this flavour.</summary>
    public static string Version { get; } = Metadata("OnnxRuntimeVersion") ?? "unknown";

    /// <summary>Whether this build carries ONNX Runtime's CUDA execution provider.</summary>
    public static bool HasCudaProvider => Flavor == "Gpu";

    /// <summary>The CUDA major the GPU package's provider links against.</summary>
    public static string CudaMajor { get; } = Metadata("OnnxRuntimeGpuCudaMajor") ?? "?";

    /// <summary>The cuDNN major the GPU package's provider loads.</summary>
    public static string CudnnMajor { get; } = Metadata("OnnxRuntimeGpuCudnnMajor") ?? "?";

    /// <summary>
    /// The shared libraries the CUDA provider needs at run time (the provider's NEEDED entries, read with
    /// <c>readelf -d libonnxruntime_providers_cuda.so</c>, plus cuDNN, which it loads itself).
    /// </summary>
    public static IReadOnlyList<string> CudaLibraries { get; } =
    [
        "libcuda.so.1",
        $"libcudart.so.{CudaMajor}",
        $"libcublas.so.{CudaMajor}",
        $"libcublasLt.so.{CudaMajor}",
        "libcurand.so.10",
        $"libcudnn.so.{CudnnMajor}",
    ];

    /// <summary>The libraries of <see cref="CudaLibraries"/> that the dynamic loader cannot find here.</summary>
    public static IReadOnlyList<string> MissingCudaLibraries()
    {
        var missing = new List<string>();
        foreach (var library in CudaLibraries)
        {
            if (NativeLibrary.TryLoad(library, out var handle))
            {
                NativeLibrary.Free(handle);
            }
            else
            {
                missing.Add(library);
            }
        }
        return missing;
    }

    /// <summary>Why CUDA cannot be used by this build here, in words an operator can act on.</summary>
    public static string CudaUnavailableReason(string providerError)
    {
        if (!HasCudaProvider)
        {
            return $"this is the CPU build of the gateway (Microsoft.ML.OnnxRuntime {Version}, which has no CUDA provider); "
                + $"build it with -p:OnnxRuntimeFlavor=Gpu for CUDA";
        }
        var missing = MissingCudaLibraries();
        var needs = $"Microsoft.ML.OnnxRuntime.Gpu {Version} needs CUDA {CudaMajor} and cuDNN {CudnnMajor} on the library path";
        return missing.Count > 0
            ? $"missing {string.Join(", ", missing)} ({needs}); ONNX Runtime said: {providerError}"
            : $"{providerError} ({needs})";
    }

    private static string? Metadata(string key)
    {
        foreach (var attribute in typeof(OnnxRuntimeBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
        {
            if (attribute.Key == key && !string.IsNullOrEmpty(attribute.Value))
            {
                return attribute.Value;
            }
        }
        return null;
    }
}
