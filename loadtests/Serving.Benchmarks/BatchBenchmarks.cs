using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Serving.Core.Protocol;
using Serving.Gateway.Batching;
using Serving.Gateway.Hosting;
using Serving.Gateway.Inference;

namespace Serving.Benchmarks;

/// <summary>
/// Batch assembly, the ONNX Runtime call and the scatter on credit-risk v2, with the session the
/// gateway would create (CPU, its default OnnxRuntime options). <c>Execute</c> is the gateway's
/// <see cref="OrtBatchExecutor"/>; <c>RunOnly</c> is the same session run on an input prepared once,
/// so <c>Execute − RunOnly</c> is what assembling and scattering cost.
/// </summary>
public class BatchBenchmarks
{
    private readonly List<InferenceWorkItem> _batch = [];
    private InferenceSession _session = null!;
    private OrtBatchExecutor _executor = null!;
    private OrtValue _input = null!;
    private OrtValue[] _inputs = null!;
    private RunOptions _runOptions = null!;
    private string[] _inputNames = null!;
    private string[] _outputNames = null!;

    [Params(1, 32)]
    public int Items { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var path = Path.Combine(Fixtures.RepositoryRoot(), "models", "credit-risk", "2", "model.onnx");
        var factory = new SessionFactory(new OnnxRuntimeOptions { ExecutionProvider = "cpu" }, NullLogger<SessionFactory>.Instance);
        var created = factory.Create("credit-risk", 2, path);
        if (created.Error is not null)
        {
            throw new InvalidOperationException(created.Error);
        }
        _session = created.Session!;
        var signature = created.Signature!;
        _executor = new OrtBatchExecutor(_session, signature);
        var row = Fixtures.RowBytes();
        for (var i = 0; i < Items; i++)
        {
            var item = InferenceWorkItem.Rent();
            item.Request.Bind(signature);
            item.Request.SetInput(0, TensorShape.From([1, 12]), row);
            item.Result.Bind(signature.Outputs.Count);
            _batch.Add(item);
        }
        var features = new float[Items * 12];
        for (var i = 0; i < Items; i++)
        {
            Fixtures.Row.CopyTo(features, i * 12);
        }
        _input = OrtValue.CreateTensorValueFromMemory(features, [Items, 12]);
        _inputs = [_input];
        _runOptions = new RunOptions();
        _inputNames = ["features"];
        _outputNames = ["probability"];
        if (Execute() is { } error)
        {
            throw new InvalidOperationException(error);
        }
    }

    [Benchmark(Description = "OrtBatchExecutor.Execute (credit-risk v2)")]
    public string? Execute() => _executor.Execute(_batch, Items);

    [Benchmark(Baseline = true, Description = "InferenceSession.Run alone (same rows)")]
    public float RunOnly()
    {
        using var outputs = _session.Run(_runOptions, _inputNames, _inputs, _outputNames);
        return outputs[0].GetTensorDataAsSpan<float>()[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var item in _batch)
        {
            InferenceWorkItem.Return(item);
        }
        _batch.Clear();
        _executor.Dispose();
        _input.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
