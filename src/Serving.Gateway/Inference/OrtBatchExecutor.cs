using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Prometheus;
using Serving.Core.Protocol;
using Serving.Gateway.Batching;
using Serving.Gateway.Metrics;

namespace Serving.Gateway.Inference;

/// <summary>
/// Runs batches on one ONNX Runtime session through the OrtValue API. Input tensors are the requests'
/// pooled buffers, pinned for the duration of the call (one request) or concatenated into this
/// executor's own pooled buffers (several); outputs are copied row by row into each request's result.
/// The batcher calls it from one thread at a time, so its scratch buffers need no locking.
/// <para>
/// Batches of up to <see cref="MaxBoundRows"/> rows run through bound tensors (<see cref="BoundBatch"/>) over one
/// set of pinned buffers per version (<see cref="PinnedTensors"/>), sized for the largest bound batch that fits
/// in <see cref="MaxBoundBytesCpu"/> (<see cref="MaxBoundBytesCuda"/> on CUDA): that is all the pinned memory a
/// version holds, whatever row counts its clients send (serving_pinned_buffer_bytes).
/// </para>
/// <para>
/// With CUDA graphs (<see cref="CudaGraphs"/>) a bound batch of up to the graphs' largest size is staged in the same
/// pinned buffers and run as a captured graph over device buffers; every other run carries <c>gpu_graph_id</c> -1.
/// Without them nothing here differs.
/// </para>
/// </summary>
internal sealed class OrtBatchExecutor : IBatchExecutor, IDisposable
{
    /// <summary>How OnnxRuntimeException's message starts for ORT_INVALID_ARGUMENT (its error code is not public).</summary>
    private const string InvalidArgument = "[ErrorCode:InvalidArgument]";

    private static readonly byte[] EmptyPinned = GC.AllocateArray<byte>(1, pinned: true);

    private readonly InferenceSession _session;
    private readonly ModelSignature _signature;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    /// <summary>The most rows a bound batch has; larger batches take the unbound path.</summary>
    internal const int MaxBoundRows = 256;

    /// <summary>The most pinned memory a version's bound batches share, on CPU.</summary>
    internal const long MaxBoundBytesCpu = 4 * 1024 * 1024;

    // On CUDA a bound batch is what keeps the copies to and from the device single DMA transfers from
    // page-locked memory, and large batches are the point of a GPU: bind up to 64 MiB per batch size.
    internal const long MaxBoundBytesCuda = 64 * 1024 * 1024;

    private readonly PooledBuffer[] _concat;
    private readonly RunOptions _runOptions = new();
    private readonly BoundBatch?[]? _bound;
    private readonly int _boundRows;
    private PinnedTensors? _pinned;
    private readonly string? _model;
    private readonly string? _version;
    private readonly Gauge.Child? _pinnedBytes;
    private readonly OrtMemoryInfo? _pinnedInfo;
    private readonly OrtAllocator? _pinnedAllocator;
    private readonly CudaGraphs? _graphs;

    /// <param name="session">The version's session.</param>
    /// <param name="signature">Its inputs and outputs.</param>
    /// <param name="cudaDevice">
    /// The CUDA device the session runs on, or null on CPU: on CUDA the bound batches' tensors are allocated in
    /// page-locked host memory by the session's CUDA-pinned allocator.
    /// </param>
    /// <param name="model">The model, to label serving_pinned_buffer_bytes; null publishes no metric.</param>
    /// <param name="version">The version, with <paramref name="model"/>.</param>
    /// <param name="graphRows">
    /// On CUDA, the largest batch to run as a captured CUDA graph (the session must have <c>enable_cuda_graph</c>),
    /// or 0 for none; the graphs are captured here, and <see cref="GraphsUnavailable"/> says why when they could not be.
    /// </param>
    public OrtBatchExecutor(InferenceSession session, ModelSignature signature, int? cudaDevice = null, string? model = null, int version = 0, int graphRows = 0)
    {
        _session = session;
        _signature = signature;
        var maxBoundBytes = MaxBoundBytesCpu;
        if (cudaDevice is { } device)
        {
            maxBoundBytes = MaxBoundBytesCuda;
            _pinnedInfo = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA_PINNED, OrtAllocatorType.DeviceAllocator, device, OrtMemType.CpuOutput);
            try
            {
                _pinnedAllocator = new OrtAllocator(session, _pinnedInfo);
            }
            catch (OnnxRuntimeException ex)
            {
                // The batches then lie over pinned arrays as on CPU, which the provider copies through a
                // page-locked staging buffer of its own: correct, one copy slower. The host logs it.
                PinnedHostUnavailable = ex.Message;
                _pinnedInfo.Dispose();
                _pinnedInfo = null;
            }
        }
        _inputNames = new string[signature.Inputs.Count];
        for (var i = 0; i < _inputNames.Length; i++)
        {
            _inputNames[i] = signature.Inputs[i].Name;
        }
        _outputNames = new string[signature.Outputs.Count];
        for (var i = 0; i < _outputNames.Length; i++)
        {
            _outputNames[i] = signature.Outputs[i].Name;
        }
        _concat = new PooledBuffer[_inputNames.Length];
        if (signature.IsBatchable)
        {
            _boundRows = PinnedTensors.RowsWithin(signature, MaxBoundRows, maxBoundBytes);
            _bound = new BoundBatch?[_boundRows + 1];
            if (graphRows > 0 && cudaDevice is { } graphDevice)
            {
                (_graphs, GraphsUnavailable) = CaptureGraphs(session, signature, graphDevice, Math.Min(graphRows, _boundRows));
            }
        }
        if (model is not null)
        {
            _model = model;
            _version = version.ToString(CultureInfo.InvariantCulture);
            _pinnedBytes = ServingMetrics.PinnedBufferBytes.WithLabels(_model, _version);
            _pinnedBytes.Set(0);
        }
    }

    private (CudaGraphs? Graphs, string? Error) CaptureGraphs(InferenceSession session, ModelSignature signature, int device, int maxRows)
    {
        if (maxRows == 0)
        {
            return (null, $"one row of its inputs and outputs takes more than the {MaxBoundBytesCuda >> 20} MiB a version's bound buffers may hold");
        }
        // Every run but a graph's own is then a plain one.
        _runOptions.AddRunConfigEntry(CudaGraphPlan.GraphIdKey, CudaGraphPlan.NoGraph);
        try
        {
            return (CudaGraphs.Capture(session, signature, device, maxRows), null);
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>Pinned host memory this version's bound batches hold now (0 until the first bound batch runs).</summary>
    public long PinnedBytes => _pinned?.Bytes ?? 0;

    /// <summary>The most pinned memory this version's bound batches can hold: one batch of the largest bound size.</summary>
    public long PinnedBytesBound => _boundRows == 0 ? 0 : PinnedTensors.SizeOf(_signature, _boundRows);

    /// <summary>On CUDA, why the session's CUDA-pinned allocator could not be had; null when it was, and on CPU.</summary>
    public string? PinnedHostUnavailable { get; }

    /// <summary>When CUDA graphs were asked for, why they could not be captured; null when they were, or were not asked for.</summary>
    public string? GraphsUnavailable { get; }

    /// <summary>The batch sizes run as captured CUDA graphs; empty without graphs.</summary>
    public IReadOnlyList<int> GraphSizes => _graphs?.Sizes ?? [];

    public string? Execute(IReadOnlyList<InferenceWorkItem> batch, int totalRows)
    {
        try
        {
            return Run(batch, totalRows);
        }
        catch (OnnxRuntimeException ex) when (ex.Message.StartsWith(InvalidArgument, StringComparison.Ordinal))
        {
            // The inputs matched the signature but a node refused their values (a Gather index past
            // its table): the request's fault. ONNX Runtime's message names its internals, so it goes
            // to the log and the client gets a 400 that says what it can change.
            throw new ModelInputException(ex.Message, ex);
        }
    }

    private string? Run(IReadOnlyList<InferenceWorkItem> batch, int totalRows)
    {
        if (BoundFor(totalRows) is { } bound)
        {
            ExecuteBound(batch, totalRows, bound);
            return null;
        }
        var inputCount = _inputNames.Length;
        var values = new OrtValue[inputCount];
        var handles = new GCHandle[inputCount];
        IDisposableReadOnlyCollection<OrtValue>? outputs = null;
        try
        {
            for (var i = 0; i < inputCount; i++)
            {
                var spec = _signature.Inputs[i];
                var first = batch[0].Request.Inputs[i];
                byte[] array;
                int length;
                var shape = new long[first.Shape.Rank];
                first.Shape.AsSpan().CopyTo(shape);
                if (batch.Count == 1)
                {
                    array = first.Array ?? EmptyPinned;
                    length = first.Bytes.Length;
                }
                else
                {
                    ref var concat = ref _concat[i];
                    concat.Reset();
                    foreach (var item in batch)
                    {
                        var bytes = item.Request.Inputs[i].Bytes;
                        bytes.CopyTo(concat.Append(bytes.Length));
                    }
                    array = concat.Array ?? EmptyPinned;
                    length = concat.Length;
                    shape[0] = totalRows;
                }
                handles[i] = GCHandle.Alloc(array, GCHandleType.Pinned);
                values[i] = OrtValue.CreateTensorValueWithData(
                    OrtMemoryInfo.DefaultInstance, OrtTypeMap.ToOrt(spec.DataType), shape, handles[i].AddrOfPinnedObject(), length);
            }
            outputs = _session.Run(_runOptions, _inputNames, values, _outputNames);
            var index = 0;
            foreach (var output in outputs)
            {
                Scatter(batch, totalRows, index++, output);
            }
            return null;
        }
        finally
        {
            outputs?.Dispose();
            for (var i = 0; i < inputCount; i++)
            {
                values[i]?.Dispose();
                if (handles[i].IsAllocated)
                {
                    handles[i].Free();
                }
            }
        }
    }

    /// <summary>
    /// The reusable tensors for this many rows, created on first use over the version's one set of pinned
    /// buffers; null past the largest bound size.
    /// </summary>
    private BoundBatch? BoundFor(int rows)
    {
        if (_bound is null || rows <= 0 || rows > _boundRows)
        {
            return null;
        }
        var bound = _bound[rows];
        if (bound is null)
        {
            if (_pinned is null)
            {
                _pinned = PinnedTensors.Create(_signature, _boundRows, _pinnedAllocator, _pinnedInfo);
                _pinnedBytes?.Set(_pinned.Bytes);
            }
            bound = _bound[rows] = BoundBatch.Create(_session, _signature, rows, _pinned);
        }
        return bound;
    }

    private void ExecuteBound(IReadOnlyList<InferenceWorkItem> batch, int totalRows, BoundBatch bound)
    {
        for (var i = 0; i < _inputNames.Length; i++)
        {
            var offset = 0;
            var destination = bound.Input(i);
            // Indexed loops: a foreach over the interface would box an enumerator per call.
            for (var k = 0; k < batch.Count; k++)
            {
                var bytes = batch[k].Request.Inputs[i].Bytes;
                bytes.CopyTo(destination.Slice(offset));
                offset += bytes.Length;
            }
        }
        if (_graphs is not null && totalRows <= _graphs.MaxRows)
        {
            // The batch is in the pinned buffers; the graph's own tensors lie on the device (this batch size's
            // host binding, made by BoundFor, is then never run).
            _graphs.Run(totalRows, _pinned!);
        }
        else
        {
            _session.RunWithBinding(_runOptions, bound.Binding);
        }
        for (var o = 0; o < _outputNames.Length; o++)
        {
            var type = _signature.Outputs[o].DataType;
            var data = bound.Output(o).Slice(0, (int)(_signature.Outputs[o].RowElementCount() * totalRows * TensorDataTypes.ElementSize(type)));
            var shape = bound.OutputShapes[o];
            var rowBytes = data.Length / totalRows;
            var offset = 0;
            for (var k = 0; k < batch.Count; k++)
            {
                var item = batch[k];
                var rows = item.Rows;
                shape.Set(0, rows);
                var bytes = rows * rowBytes;
                data.Slice(offset, bytes).CopyTo(item.Result.Output(o).Allocate(type, shape, bytes));
                offset += bytes;
            }
        }
    }

    private void Scatter(IReadOnlyList<InferenceWorkItem> batch, int totalRows, int outputIndex, OrtValue output)
    {
        var type = _signature.Outputs[outputIndex].DataType;
        var data = output.GetTensorDataAsSpan<byte>();
        var info = output.GetTensorTypeAndShape();
        var shape = TensorShape.From(info.Shape);
        if (batch.Count == 1)
        {
            data.CopyTo(batch[0].Result.Output(outputIndex).Allocate(type, shape, data.Length));
            return;
        }
        var rowBytes = data.Length / totalRows;
        var offset = 0;
        foreach (var item in batch)
        {
            var rows = item.Rows;
            shape.Set(0, rows);
            var bytes = rows * rowBytes;
            data.Slice(offset, bytes).CopyTo(item.Result.Output(outputIndex).Allocate(type, shape, bytes));
            offset += bytes;
        }
    }

    /// <summary>True once disposed: the bound batches' tensors over pinned buffers and the run options are released.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>
    /// Makes the ONNX Runtime call in progress (and every later one) return an error as soon as it can
    /// (<see cref="RunOptions.Terminate"/>, meant to be set from another thread): used when a drain times out.
    /// </summary>
    public void Terminate()
    {
        _runOptions.Terminate = true;
        _graphs?.Terminate();
    }

    public void Dispose()
    {
        IsDisposed = true;
        _graphs?.Dispose();
        if (_bound is not null)
        {
            foreach (var bound in _bound)
            {
                bound?.Dispose();
            }
        }
        _pinned?.Dispose();
        if (_model is not null)
        {
            ServingMetrics.PinnedBufferBytes.RemoveLabelled(_model, _version!);
        }
        _pinnedAllocator?.Dispose();
        _pinnedInfo?.Dispose();
        _runOptions.Dispose();
        for (var i = 0; i < _concat.Length; i++)
        {
            _concat[i].Release();
        }
    }
}
