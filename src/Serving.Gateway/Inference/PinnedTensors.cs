using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Serving.Core.Protocol;

namespace Serving.Gateway.Inference;

/// <summary>
/// The pinned host memory under a version's bound batches: one buffer per input and output, sized for
/// <see cref="Rows"/> rows, shared by the bound batches of every row count up to it (each is a view over the
/// first rows). The batcher runs one batch at a time per version, so the views never overlap in time. This is
/// what bounds a version's pinned memory to one batch of its largest bound size (docs/limits.md) however the
/// clients vary their row counts.
/// <para>
/// On CPU the buffers are arrays of the pinned object heap; on CUDA they are allocated by the session's
/// CUDA-pinned (page-locked) host allocator and described by its memory info, so the provider copies them to
/// and from the device with one DMA transfer each.
/// </para>
/// </summary>
internal sealed unsafe class PinnedTensors : ITensorMemory, IDisposable
{
    // On CPU, the arrays under the buffers; on CUDA, the allocator's tensors that own them.
    private readonly byte[]?[] _arrays;
    private readonly OrtValue?[] _owners;
    private readonly nint[] _data;

    private PinnedTensors(int rows, long bytes, OrtMemoryInfo info, byte[]?[] arrays, OrtValue?[] owners, nint[] data)
    {
        Rows = rows;
        Bytes = bytes;
        Info = info;
        _arrays = arrays;
        _owners = owners;
        _data = data;
    }

    /// <summary>The rows each buffer holds: the most any bound batch of this version has.</summary>
    public int Rows { get; }

    /// <summary>Bytes pinned, all buffers together.</summary>
    public long Bytes { get; }

    /// <summary>Where the buffers lie, for the tensors made over them.</summary>
    public OrtMemoryInfo Info { get; }

    /// <summary>Start of tensor <paramref name="index"/>'s buffer (inputs first, then outputs, in signature order).</summary>
    public nint Data(int index) => _data[index];

    /// <summary>
    /// Buffers for <paramref name="rows"/> rows of a batchable signature: pinned arrays when
    /// <paramref name="hostAllocator"/> is null, else allocated by it (its memory info is <paramref name="hostInfo"/>).
    /// </summary>
    public static PinnedTensors Create(ModelSignature signature, int rows, OrtAllocator? hostAllocator, OrtMemoryInfo? hostInfo)
    {
        var inputCount = signature.Inputs.Count;
        var count = inputCount + signature.Outputs.Count;
        var arrays = new byte[]?[count];
        var owners = new OrtValue?[count];
        var data = new nint[count];
        long total = 0;
        for (var t = 0; t < count; t++)
        {
            var spec = t < inputCount ? signature.Inputs[t] : signature.Outputs[t - inputCount];
            var bytes = BytesOf(spec, rows);
            total += bytes;
            if (hostAllocator is null)
            {
                arrays[t] = GC.AllocateArray<byte>((int)Math.Max(1, bytes), pinned: true);
                data[t] = Marshal.UnsafeAddrOfPinnedArrayElement(arrays[t]!, 0);
            }
            else
            {
                owners[t] = OrtValue.CreateAllocatedTensorValue(hostAllocator, OrtTypeMap.ToOrt(spec.DataType), BoundBatch.TensorShapeOf(spec, rows));
                fixed (byte* start = owners[t]!.GetTensorMutableRawData())
                {
                    data[t] = (nint)start;
                }
            }
        }
        return new PinnedTensors(rows, total, hostAllocator is null ? OrtMemoryInfo.DefaultInstance : hostInfo!, arrays, owners, data);
    }

    /// <summary>Bytes <paramref name="rows"/> rows of every input and output take.</summary>
    public static long SizeOf(ModelSignature signature, int rows)
    {
        long total = 0;
        foreach (var spec in signature.Inputs)
        {
            total += BytesOf(spec, rows);
        }
        foreach (var spec in signature.Outputs)
        {
            total += BytesOf(spec, rows);
        }
        return total;
    }

    /// <summary>
    /// The most rows, up to <paramref name="maxRows"/>, whose buffers fit in <paramref name="maxBytes"/>; 0 when
    /// not even one row does.
    /// </summary>
    public static int RowsWithin(ModelSignature signature, int maxRows, long maxBytes)
    {
        var perRow = SizeOf(signature, 1);
        return perRow <= 0 ? maxRows : (int)Math.Min(maxRows, maxBytes / perRow);
    }

    /// <summary>Bytes <paramref name="rows"/> rows of <paramref name="spec"/> take.</summary>
    internal static long BytesOf(TensorSpec spec, int rows) => spec.RowElementCount() * rows * TensorDataTypes.ElementSize(spec.DataType);

    public void Dispose()
    {
        foreach (var owner in _owners)
        {
            owner?.Dispose();
        }
        GC.KeepAlive(_arrays);
    }
}
