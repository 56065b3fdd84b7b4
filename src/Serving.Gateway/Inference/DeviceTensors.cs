using Microsoft.ML.OnnxRuntime;
using Serving.Core.Protocol;

namespace Serving.Gateway.Inference;

/// <summary>
/// The device memory under a version's CUDA graphs: one buffer per input and output, sized for the largest
/// captured batch and allocated once from the session's own CUDA allocator (so it counts against the version's
/// <c>gpu_mem_limit</c>). A captured graph reads and writes the addresses it was captured with, so these buffers
/// never move while the session lives; each captured size's tensors are views over their first rows. Zeroed
/// when allocated, so the capture runs read defined values.
/// </summary>
internal sealed class DeviceTensors : ITensorMemory, IDisposable
{
    private readonly OrtAllocator _allocator;
    private readonly OrtMemoryAllocation?[] _allocations;
    private readonly nint[] _data;

    private DeviceTensors(OrtMemoryInfo info, OrtAllocator allocator, OrtMemoryAllocation?[] allocations, nint[] data, long bytes)
    {
        Info = info;
        _allocator = allocator;
        _allocations = allocations;
        _data = data;
        Bytes = bytes;
    }

    public OrtMemoryInfo Info { get; }

    /// <summary>Device bytes held, all buffers together.</summary>
    public long Bytes { get; }

    public nint Data(int index) => _data[index];

    /// <summary>Buffers for <paramref name="rows"/> rows of <paramref name="signature"/> on CUDA device <paramref name="device"/>.</summary>
    public static DeviceTensors Create(InferenceSession session, ModelSignature signature, int rows, int device, CudaRuntime cuda)
    {
        var info = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.ArenaAllocator, device, OrtMemType.Default);
        var count = signature.Inputs.Count + signature.Outputs.Count;
        var allocations = new OrtMemoryAllocation?[count];
        var data = new nint[count];
        OrtAllocator? allocator = null;
        try
        {
            allocator = new OrtAllocator(session, info);
            cuda.SetDevice(device);
            long total = 0;
            for (var t = 0; t < count; t++)
            {
                var spec = t < signature.Inputs.Count ? signature.Inputs[t] : signature.Outputs[t - signature.Inputs.Count];
                var bytes = Math.Max(1, PinnedTensors.BytesOf(spec, rows));
                allocations[t] = allocator.Allocate(checked((uint)bytes));
                // The allocation outlives every tensor over it (both are released with this object).
                data[t] = allocations[t]!.DangerousGetHandle();
                cuda.Zero(data[t], bytes);
                total += bytes;
            }
            cuda.Synchronize();
            return new DeviceTensors(info, allocator, allocations, data, total);
        }
        catch
        {
            Release(allocations, allocator, info);
            throw;
        }
    }

    public void Dispose() => Release(_allocations, _allocator, Info);

    private static void Release(OrtMemoryAllocation?[] allocations, OrtAllocator? allocator, OrtMemoryInfo info)
    {
        foreach (var allocation in allocations)
        {
            allocation?.Dispose();
        }
        allocator?.Dispose();
        info.Dispose();
    }
}
