using System.Text;
using Microsoft.ML.OnnxRuntime;
using Serving.Core.Protocol;
using Serving.Core.Repository;
using Serving.Gateway.Batching;
using Serving.Gateway.Drift;
using Serving.Gateway.Metrics;

namespace Serving.Gateway.Inference;

/// <summary>
/// One model version in this process: its ONNX Runtime session, batcher and state. Requests hold it
/// with <see cref="TryAcquire"/>/<see cref="Release"/> so that unloading waits for those in flight.
/// Owns the session and executor and disposes them once drained.
/// </summary>
internal sealed class ModelVersion
{
    private static readonly string[] StateNames = ["loading", "ready", "failed", "draining", "unloaded"];

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private InferenceSession? _session;
    private OrtBatchExecutor? _executor;
    private int _state;
    private int _inFlight;

    public ModelVersion(VersionDescriptor descriptor)
    {
        Descriptor = descriptor;
        Model = descriptor.Model;
        Version = descriptor.Version;
        VersionText = descriptor.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Utf8Model = Encoding.UTF8.GetBytes(Model);
        Utf8Version = Encoding.UTF8.GetBytes(VersionText);
        Metrics = new VersionMetrics(Model, VersionText);
        PublishState(VersionState.Loading);
    }

    public VersionDescriptor Descriptor { get; }

    public string Model { get; }

    public int Version { get; }

    public string VersionText { get; }

    public byte[] Utf8Model { get; }

    public byte[] Utf8Version { get; }

    public VersionMetrics Metrics { get; }

    private readonly VariantMetrics?[] _variants = new VariantMetrics?[8];

    /// <summary>This version's metrics as the variant <paramref name="name"/> (index <paramref name="variant"/>) of a rollout.</summary>
    public VariantMetrics ForVariant(int variant, string name)
    {
        var metrics = Volatile.Read(ref _variants[variant]);
        if (metrics is null)
        {
            Interlocked.CompareExchange(ref _variants[variant], new VariantMetrics(Model, VersionText, name), null);
            metrics = _variants[variant]!;
        }
        return metrics;
    }

    public VersionState State => (VersionState)Volatile.Read(ref _state);

    /// <summary>Why the load failed, in full (paths, hashes, ONNX Runtime's words): for the log and operators.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>
    /// Why the load failed, in words fit for any client of the inference protocol: no paths, hashes or
    /// runtime messages. The full reason is logged once, when the load fails.
    /// </summary>
    public string? PublicFailureReason { get; private set; }

    public string Provider { get; private set; } = "none";

    public ModelSignature? Signature { get; private set; }

    public DynamicBatcher? Batcher { get; private set; }

    public DateTimeOffset? ReadySince { get; private set; }

    /// <summary>The version's drift monitor, or null when it is not monitored.</summary>
    public VersionDriftMonitor? Drift { get; private set; }

    /// <summary>Requests holding this version now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Index of the FP32 output that rollouts compare and analyse (metadata's prediction_output, else the first), or -1.</summary>
    public int PredictionOutput { get; private set; } = -1;

    public void MarkReady(InferenceSession session, ModelSignature signature, OrtBatchExecutor executor, DynamicBatcher batcher, VersionDriftMonitor? drift, string provider, DateTimeOffset now)
    {
        Drift = drift;
        var name = Descriptor.Metadata.PredictionOutput ?? signature.Outputs[0].Name;
        for (var o = 0; o < signature.Outputs.Count; o++)
        {
            if (signature.Outputs[o].Name == name && signature.Outputs[o].DataType == TensorDataType.Fp32)
            {
                PredictionOutput = o;
            }
        }
        _session = session;
        _executor = executor;
        Signature = signature;
        Batcher = batcher;
        Provider = provider;
        ReadySince = now;
        ServingMetrics.ExecutionProvider.WithLabels(Model, VersionText, provider).Set(1);
        PublishState(VersionState.Ready);
    }

    public void MarkFailed(string reason, string publicReason)
    {
        FailureReason = reason;
        PublicFailureReason = publicReason;
        DisposeSession();
        PublishState(VersionState.Failed);
    }

    /// <summary>Takes a hold on a ready version; false if it is not (or no longer) ready.</summary>
    public bool TryAcquire()
    {
        Interlocked.Increment(ref _inFlight);
        if (State == VersionState.Ready)
        {
            return true;
        }
        Release();
        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && State == VersionState.Draining)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>
    /// Stops taking requests, waits for those in flight (up to <paramref name="timeout"/>), then disposes
    /// the session. Safe to call on a version that failed or never loaded.
    /// </summary>
    public async Task DrainAndUnloadAsync(TimeSpan timeout)
    {
        if (State == VersionState.Ready)
        {
            PublishState(VersionState.Draining);
            if (Volatile.Read(ref _inFlight) == 0)
            {
                _drained.TrySetResult();
            }
            await _drained.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        DisposeSession();
        PublishState(VersionState.Unloaded);
        ServingMetrics.ExecutionProvider.RemoveLabelled(Model, VersionText, Provider);
    }

    private void DisposeSession()
    {
        Batcher?.Dispose();
        _executor?.Dispose();
        _executor = null;
        _session?.Dispose();
        _session = null;
    }

    private void PublishState(VersionState state)
    {
        Volatile.Write(ref _state, (int)state);
        for (var i = 0; i < StateNames.Length; i++)
        {
            ServingMetrics.VersionState.WithLabels(Model, VersionText, StateNames[i]).Set(i == (int)state ? 1 : 0);
        }
    }
}
