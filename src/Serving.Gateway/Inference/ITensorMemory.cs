using Microsoft.ML.OnnxRuntime;

namespace Serving.Gateway.Inference;

/// <summary>
/// One buffer per input and output of a version (inputs first, then outputs, in signature order), each sized for
/// a number of rows, that <see cref="BoundBatch"/> lays tensors over: page-locked host memory
/// (<see cref="PinnedTensors"/>) or device memory (<see cref="DeviceTensors"/>).
/// </summary>
internal interface ITensorMemory
{
    /// <summary>Where the buffers lie, for the tensors made over them.</summary>
    OrtMemoryInfo Info { get; }

    /// <summary>Start of tensor <paramref name="index"/>'s buffer.</summary>
    nint Data(int index);
}
