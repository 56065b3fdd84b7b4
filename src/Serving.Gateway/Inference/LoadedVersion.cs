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
internal sealed class LoadedVersion
{
    private static readonly string[] StateNames = ["loading", "ready", "failed", "draining", "unloaded"];

    /// <summary>How long cancelled requests get to leave ONNX Runtime after a drain timeout before the unload waits for them in the background.</summary>
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _inFlightCancelled;
    private InferenceSession? _session;
    private OrtBatchExecutor? _executor;
    private GpuMemoryBudget.Reservation? _gpuMemory;
    private int _state;
    private int _inFlight;

    public LoadedVersion(VersionDescriptor descriptor)
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

    /// <summary>Why the version's reference cannot be used for drift monitoring; null when monitored or shipping no reference.</summary>
    public string? DriftUnavailable { get; set; }

    /// <summary>Requests holding this version now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Index of the FP32 output that rollouts compare and analyse (metadata's prediction_output, else the first), or -1.</summary>
    public int PredictionOutput { get; private set; } = -1;

    public void MarkReady(
        InferenceSession session, ModelSignature signature, OrtBatchExecutor executor, DynamicBatcher batcher, VersionDriftMonitor? drift, string provider,
        GpuMemoryBudget.Reservation? gpuMemory, DateTimeOffset now)
    {
        _gpuMemory = gpuMemory;
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

    /// <summary>True once a drain timed out and the requests still in flight were cancelled (they answer 503).</summary>
    public bool InFlightCancelled => _inFlightCancelled;

    /// <summary>
    /// Stops taking requests and waits for those in flight, up to <paramref name="timeout"/>. Past it, cancels
    /// them: queued requests complete as cancelled and the batch inside ONNX Runtime is terminated (both
    /// answer 503), and the batcher's runner thread ends. Then disposes the executor (its pinned buffers)
    /// and the session, and the state becomes <see cref="VersionState.Unloaded"/>. A batch that is still
    /// inside the executor <see cref="CancelGrace"/> after the cancel is never disposed under: the version
    /// unloads when it returns. Safe to call on a version that failed or never loaded.
    /// </summary>
    /// <returns>Whether the requests in flight finished within <paramref name="timeout"/>.</returns>
    public async Task<bool> DrainAndUnloadAsync(TimeSpan timeout)
    {
        var inTime = true;
        if (State == VersionState.Ready)
        {
            PublishState(VersionState.Draining);
            if (Volatile.Read(ref _inFlight) == 0)
            {
                _drained.TrySetResult();
            }
            inTime = await CompletesWithinAsync(_drained.Task, timeout).ConfigureAwait(false);
            if (!inTime)
            {
                _inFlightCancelled = true;
                Batcher?.Dispose();
                _executor?.Terminate();
                if (!await CompletesWithinAsync(_drained.Task, CancelGrace).ConfigureAwait(false))
                {
                    _ = _drained.Task.ContinueWith(static (_, state) => ((LoadedVersion)state!).Unload(), this,
                        CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    return false;
                }
            }
        }
        Unload();
        return inTime;
    }

    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan timeout) =>
        await Task.WhenAny(task, Task.Delay(timeout)).ConfigureAwait(false) == task;

    private void Unload()
    {
        DisposeSession();
        PublishState(VersionState.Unloaded);
        ServingMetrics.ExecutionProvider.RemoveLabelled(Model, VersionText, Provider);
    }

    /// <summary>True once the ONNX Runtime session is disposed (or was never created).</summary>
    public bool SessionReleased => Volatile.Read(ref _session) is null;

    private void DisposeSession()
    {
        Batcher?.Dispose();
        _executor?.Dispose();
        _executor = null;
        _session?.Dispose();
        _session = null;
        // After the session: its CUDA arena is freed with it, so only now is its share of the budget free.
        _gpuMemory?.Dispose();
        _gpuMemory = null;
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
