using System.Runtime.InteropServices;

namespace Serving.Gateway.Inference;

/// <summary>
/// The few CUDA runtime calls a version on CUDA graphs makes itself: copies between its page-locked host buffers
/// and the device buffers its graphs read and write (ONNX Runtime's managed API has no copy into device memory for
/// the built-in CUDA provider; its documentation fills graph inputs with <c>cudaMemcpy</c> the same way). They
/// come from the CUDA runtime the CUDA provider itself loaded (<c>libcudart.so.13</c>, the same library, hence
/// the same context). Synchronous <c>cudaMemcpy</c> and one <see cref="Synchronize"/> after a batch's input
/// copies are enough: ONNX Runtime synchronizes its stream at the end of each run, a copy from or to page-locked
/// memory returns once it is done, and the synchronization covers a copy from pageable memory (when the session
/// offered no pinned allocator), which may return before its transfer ends.
/// </summary>
internal sealed unsafe class CudaRuntime
{
    private const int HostToDevice = 1;
    private const int DeviceToHost = 2;

    private readonly delegate* unmanaged<nint, nint, nuint, int, int> _memcpy;
    private readonly delegate* unmanaged<nint, int, nuint, int> _memset;
    private readonly delegate* unmanaged<int, int> _setDevice;
    private readonly delegate* unmanaged<nint, int> _streamSynchronize;
    private readonly delegate* unmanaged<int, nint> _errorString;

    private CudaRuntime(nint library)
    {
        _memcpy = (delegate* unmanaged<nint, nint, nuint, int, int>)NativeLibrary.GetExport(library, "cudaMemcpy");
        _memset = (delegate* unmanaged<nint, int, nuint, int>)NativeLibrary.GetExport(library, "cudaMemset");
        _setDevice = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(library, "cudaSetDevice");
        _streamSynchronize = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "cudaStreamSynchronize");
        _errorString = (delegate* unmanaged<int, nint>)NativeLibrary.GetExport(library, "cudaGetErrorString");
    }

    /// <summary>The CUDA runtime of this build's CUDA major; throws <see cref="DllNotFoundException"/> or <see cref="EntryPointNotFoundException"/> without it.</summary>
    public static CudaRuntime Load() => new(NativeLibrary.Load($"libcudart.so.{OnnxRuntimeBuild.CudaMajor}"));

    /// <summary>Makes <paramref name="device"/> the calling thread's device.</summary>
    public void SetDevice(int device) => Check(_setDevice(device), "cudaSetDevice");

    /// <summary>Copies <paramref name="bytes"/> from host memory to device memory.</summary>
    public void CopyToDevice(nint device, nint host, long bytes) => Check(_memcpy(device, host, (nuint)bytes, HostToDevice), "cudaMemcpy to the device");

    /// <summary>Copies <paramref name="bytes"/> from device memory to host memory.</summary>
    public void CopyToHost(nint host, nint device, long bytes) => Check(_memcpy(host, device, (nuint)bytes, DeviceToHost), "cudaMemcpy to the host");

    /// <summary>Waits until the copies and sets made here (on the legacy default stream) are done.</summary>
    public void Synchronize() => Check(_streamSynchronize(0), "cudaStreamSynchronize");

    /// <summary>Sets <paramref name="bytes"/> of device memory to zero.</summary>
    public void Zero(nint device, long bytes) => Check(_memset(device, 0, (nuint)bytes), "cudaMemset");

    private void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"{call} failed: CUDA error {error} ({Marshal.PtrToStringAnsi(_errorString(error))})");
        }
    }
}
