using System.Globalization;
using System.Runtime.ExceptionServices;
using Microsoft.ML.OnnxRuntime;
using Serving.Core.Protocol;

namespace Serving.Gateway.Inference;

/// <summary>
/// A version's CUDA graphs (<c>Serving:OnnxRuntime:Cuda:Graphs</c>): one per size of <see cref="CudaGraphPlan.Sizes"/>,
/// each bound through <see cref="OrtIoBinding"/> to views over the version's <see cref="DeviceTensors"/> and run
/// with its own <c>gpu_graph_id</c>, all captured when the version loads. A batch is copied from the executor's
/// page-locked host buffers to the device (its rows only), runs as the graph of the next size up (the rows past
/// it hold earlier batches' values, computed and ignored: rows are independent, which is what batching assumes),
/// and its rows only are copied back.
/// <para>
/// ONNX Runtime keeps captured graphs per thread and captures in CUDA's global mode, so every run and copy is made
/// on this object's own thread: the graphs are captured once, at load, and the batcher's threads (a request's own
/// for a lone request, the runner's under load) hand each batch over and wait for it.
/// </para>
/// </summary>
internal sealed class CudaGraphs : IDisposable
{
    private readonly InferenceSession _session;
    private readonly CudaRuntime _cuda;
    private readonly int _device;
    private readonly DeviceTensors? _memory;
    private readonly int[] _sizes;
    private readonly BoundBatch?[] _graphs;
    private readonly RunOptions?[] _runOptions;
    private readonly long[] _rowBytes;
    private readonly int _inputCount;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _go = new(0, 1);
    private readonly SemaphoreSlim _done = new(0, 1);
    private volatile bool _disposed;

    // The batch handed to the thread, and what became of it: written before a semaphore release, read after the wait.
    private int _rows;
    private int _sizeIndex;
    private PinnedTensors? _host;
    private Exception? _error;

    private CudaGraphs(InferenceSession session, ModelSignature signature, int device, int maxRows)
    {
        _session = session;
        _device = device;
        _sizes = CudaGraphPlan.Sizes(maxRows);
        _inputCount = signature.Inputs.Count;
        _rowBytes = new long[_inputCount + signature.Outputs.Count];
        for (var t = 0; t < _rowBytes.Length; t++)
        {
            _rowBytes[t] = PinnedTensors.BytesOf(t < _inputCount ? signature.Inputs[t] : signature.Outputs[t - _inputCount], 1);
        }
        _cuda = CudaRuntime.Load();
        _graphs = new BoundBatch?[_sizes.Length];
        _runOptions = new RunOptions?[_sizes.Length];
        _thread = new Thread(Loop) { IsBackground = true, Name = "cuda graphs" };
        try
        {
            _memory = DeviceTensors.Create(session, signature, maxRows, device, _cuda);
            for (var i = 0; i < _sizes.Length; i++)
            {
                _graphs[i] = BoundBatch.Create(session, signature, _sizes[i], _memory);
                _runOptions[i] = new RunOptions();
                _runOptions[i]!.AddRunConfigEntry(CudaGraphPlan.GraphIdKey, _sizes[i].ToString(CultureInfo.InvariantCulture));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        _thread.Start();
    }

    /// <summary>The largest batch a graph runs; larger ones run without.</summary>
    public int MaxRows => _sizes[^1];

    /// <summary>The sizes captured.</summary>
    public IReadOnlyList<int> Sizes => _sizes;

    /// <summary>Device bytes the graphs' inputs and outputs hold.</summary>
    public long DeviceBytes => _memory!.Bytes;

    /// <summary>
    /// Allocates the device buffers and captures a graph per size of batches up to <paramref name="maxRows"/> rows;
    /// throws what ONNX Runtime or CUDA said when that fails, having released what it made.
    /// </summary>
    public static CudaGraphs Capture(InferenceSession session, ModelSignature signature, int device, int maxRows)
    {
        var graphs = new CudaGraphs(session, signature, device, maxRows);
        try
        {
            for (var i = 0; i < graphs._sizes.Length; i++)
            {
                // ONNX Runtime's first run of a graph id runs the model normally, captures it and replays it.
                graphs.OnThread(graphs._sizes[i], i, host: null);
            }
            return graphs;
        }
        catch
        {
            graphs.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the batch of <paramref name="rows"/> rows (at most <see cref="MaxRows"/>) whose inputs lie in the first
    /// rows of <paramref name="host"/>'s input buffers, leaving its outputs in the first rows of its output buffers.
    /// </summary>
    public void Run(int rows, PinnedTensors host) => OnThread(rows, CudaGraphPlan.SizeIndexFor(_sizes, rows), host);

    /// <summary>Makes the graph run in progress, and every later one, return an error (see <see cref="OrtBatchExecutor.Terminate"/>).</summary>
    public void Terminate()
    {
        foreach (var options in _runOptions)
        {
            options!.Terminate = true;
        }
    }

    private void OnThread(int rows, int sizeIndex, PinnedTensors? host)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _rows = rows;
        _sizeIndex = sizeIndex;
        _host = host;
        _go.Release();
        _done.Wait();
        if (_error is { } error)
        {
            _error = null;
            ExceptionDispatchInfo.Throw(error);
        }
    }

    private void Loop()
    {
        var deviceSet = false;
        while (true)
        {
            _go.Wait();
            if (_disposed)
            {
                return;
            }
            try
            {
                if (!deviceSet)
                {
                    _cuda.SetDevice(_device);
                    deviceSet = true;
                }
                RunHere(_rows, _sizeIndex, _host);
            }
            catch (Exception ex)
            {
                _error = ex;
            }
            _done.Release();
        }
    }

    private void RunHere(int rows, int sizeIndex, PinnedTensors? host)
    {
        if (host is not null)
        {
            for (var i = 0; i < _inputCount; i++)
            {
                _cuda.CopyToDevice(_memory!.Data(i), host.Data(i), _rowBytes[i] * rows);
            }
            _cuda.Synchronize();
        }
        _session.RunWithBinding(_runOptions[sizeIndex]!, _graphs[sizeIndex]!.Binding);
        if (host is not null)
        {
            for (var t = _inputCount; t < _rowBytes.Length; t++)
            {
                _cuda.CopyToHost(host.Data(t), _memory!.Data(t), _rowBytes[t] * rows);
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        try
        {
            _go.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already told to wake.
        }
        if (_thread.IsAlive)
        {
            _thread.Join();
        }
        foreach (var graph in _graphs)
        {
            graph?.Dispose();
        }
        foreach (var options in _runOptions)
        {
            options?.Dispose();
        }
        _memory?.Dispose();
        _go.Dispose();
        _done.Dispose();
    }
}
