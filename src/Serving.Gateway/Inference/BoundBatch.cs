using Microsoft.ML.OnnxRuntime;
using Serving.Core.Protocol;

namespace Serving.Gateway.Inference;

/// <summary>
/// Input and output tensors of one batch size, created once and reused for every call with that many rows.
/// Owns its OrtValues; the executor disposes it with the session. Reusing them saves creating and releasing
/// an OrtValue per input and output and ONNX Runtime's output allocation on every call (measured: a trivial
/// graph took 23 µs per call through the gateway before, most of it that bookkeeping). The tensors are bound
/// to the session once (<see cref="OrtIoBinding"/>), so a call passes no names: ONNX Runtime neither looks
/// them up nor copies them per call.
/// <para>
/// The tensors are views over the first rows of the version's <see cref="PinnedTensors"/>, which every batch
/// size shares: a batch of each size costs a few small native objects, not memory of its own.
/// </para>
/// </summary>
internal sealed unsafe class BoundBatch : IDisposable
{
    // The views: bound once, owned here to be released with the batch (the memory under them is not).
    private readonly OrtValue[] _values;
    private readonly nint[] _data;
    private readonly int[] _bytes;
    private readonly int _inputCount;

    private BoundBatch(OrtValue[] values, nint[] data, int[] bytes, int inputCount, TensorShape[] outputShapes, OrtIoBinding binding)
    {
        _values = values;
        _data = data;
        _bytes = bytes;
        _inputCount = inputCount;
        OutputShapes = outputShapes;
        Binding = binding;
    }

    /// <summary>Input <paramref name="index"/>'s memory, to be filled before each run.</summary>
    public Span<byte> Input(int index) => new((void*)_data[index], _bytes[index]);

    /// <summary>Output <paramref name="index"/>'s memory, holding the last run's result.</summary>
    public ReadOnlySpan<byte> Output(int index) => new((void*)_data[_inputCount + index], _bytes[_inputCount + index]);

    public TensorShape[] OutputShapes { get; }

    /// <summary>The inputs and outputs bound to the session: run with <see cref="InferenceSession.RunWithBinding(RunOptions, OrtIoBinding)"/>.</summary>
    public OrtIoBinding Binding { get; }

    /// <summary>
    /// Tensors for <paramref name="rows"/> rows of a batchable signature (every dimension static but the first),
    /// over the first rows of <paramref name="memory"/> (which holds at least that many). Over device memory
    /// (<see cref="DeviceTensors"/>) only the binding is used: <see cref="Input"/> and <see cref="Output"/> are host views.
    /// </summary>
    public static BoundBatch Create(InferenceSession session, ModelSignature signature, int rows, ITensorMemory memory)
    {
        var inputCount = signature.Inputs.Count;
        var count = inputCount + signature.Outputs.Count;
        var values = new OrtValue[count];
        var data = new nint[count];
        var bytes = new int[count];
        var outputShapes = new TensorShape[signature.Outputs.Count];
        for (var t = 0; t < count; t++)
        {
            var spec = t < inputCount ? signature.Inputs[t] : signature.Outputs[t - inputCount];
            var shape = TensorShapeOf(spec, rows);
            bytes[t] = (int)(spec.RowElementCount() * rows * TensorDataTypes.ElementSize(spec.DataType));
            data[t] = memory.Data(t);
            values[t] = OrtValue.CreateTensorValueWithData(memory.Info, OrtTypeMap.ToOrt(spec.DataType), shape, data[t], bytes[t]);
            if (t >= inputCount)
            {
                outputShapes[t - inputCount] = TensorShape.From(shape);
            }
        }
        var binding = session.CreateIoBinding();
        for (var t = 0; t < count; t++)
        {
            if (t < inputCount)
            {
                binding.BindInput(signature.Inputs[t].Name, values[t]);
            }
            else
            {
                binding.BindOutput(signature.Outputs[t - inputCount].Name, values[t]);
            }
        }
        return new BoundBatch(values, data, bytes, inputCount, outputShapes, binding);
    }

    /// <summary>The shape of <paramref name="rows"/> rows of <paramref name="spec"/>.</summary>
    internal static long[] TensorShapeOf(TensorSpec spec, int rows)
    {
        var shape = new long[spec.Shape.Count];
        shape[0] = rows;
        for (var d = 1; d < shape.Length; d++)
        {
            shape[d] = spec.Shape[d];
        }
        return shape;
    }

    public void Dispose()
    {
        Binding.Dispose();
        foreach (var value in _values)
        {
            value.Dispose();
        }
    }
}
