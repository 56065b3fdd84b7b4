using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Prometheus;
using Serving.Gateway.Batching;
using Serving.Gateway.Inference;

namespace Serving.Gateway.Rollouts;

/// <summary>
/// Sends a copy of an answered request to the shadow version and compares the two outputs. Called
/// after the primary response was written; the copy runs on the thread pool with its own timeout and
/// a global bound on copies in flight (dropped and counted beyond it), so a slow or failing shadow can
/// neither delay nor fail the primary.
/// </summary>
internal sealed class ShadowDispatcher(IOptions<ShadowOptions> options)
{
    private static readonly Counter Outcomes = Prometheus.Metrics.CreateCounter(
        "serving_shadow_requests_total", "Shadow copies by outcome (compared, dropped, error, timeout).",
        new CounterConfiguration { LabelNames = ["model", "version", "outcome"] });

    private static readonly Gauge Agreement = Prometheus.Metrics.CreateGauge(
        "serving_shadow_agreement", "Share of compared values where primary and shadow make the same decision at the threshold.",
        new GaugeConfiguration { LabelNames = ["model", "version"] });

    private static readonly Gauge MeanAbsoluteDifference = Prometheus.Metrics.CreateGauge(
        "serving_shadow_mean_absolute_difference", "Mean absolute difference between primary and shadow outputs.",
        new GaugeConfiguration { LabelNames = ["model", "version"] });

    private readonly int _maxInFlight = options.Value.MaxInFlight;
    private readonly TimeSpan _timeout = options.Value.Timeout;
    private int _inFlight;

    /// <summary>Copies of requests in flight now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Queues a shadow copy of <paramref name="primary"/>; returns at once.</summary>
    public void Dispatch(RolloutRuntime runtime, LoadedVersion shadow, LoadedVersion primaryVersion, InferenceWorkItem primary)
    {
        if (Interlocked.Increment(ref _inFlight) > _maxInFlight || !shadow.TryAcquire())
        {
            Interlocked.Decrement(ref _inFlight);
            runtime.Shadow.RecordDrop();
            Outcomes.WithLabels(shadow.Model, shadow.VersionText, "dropped").Inc();
            return;
        }
        var job = new ShadowJob(this, runtime, shadow);
        if (!job.CopyFrom(primaryVersion, primary))
        {
            job.Finish("error");
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static j => _ = j.RunAsync(), job, preferLocal: false);
    }

    private sealed class ShadowJob(ShadowDispatcher owner, RolloutRuntime runtime, LoadedVersion shadow)
    {
        private readonly InferenceWorkItem _item = InferenceWorkItem.Rent();
        private float[]? _primary;
        private int _primaryLength;
        private int _outputIndex = -1;

        /// <summary>Copies the primary's inputs and prediction; false when the shadow's signature cannot take them.</summary>
        public bool CopyFrom(LoadedVersion primaryVersion, InferenceWorkItem primary)
        {
            var signature = shadow.Signature!;
            var primarySignature = primaryVersion.Signature!;
            if (signature.Inputs.Count != primarySignature.Inputs.Count)
            {
                return false;
            }
            _item.Request.Bind(signature);
            _item.Result.Bind(signature.Outputs.Count);
            var inputs = primary.Request.Inputs;
            for (var i = 0; i < inputs.Length; i++)
            {
                var spec = primarySignature.Inputs[i];
                var index = signature.FindInput(spec.Utf8Name);
                if (index < 0 || signature.Inputs[index].DataType != spec.DataType)
                {
                    return false;
                }
                _item.Request.SetInput(index, inputs[i].Shape, inputs[i].Bytes);
            }
            var predictionName = primaryVersion.Descriptor.Metadata.PredictionOutput ?? primarySignature.Outputs[0].Name;
            var primaryOutput = -1;
            for (var o = 0; o < primarySignature.Outputs.Count; o++)
            {
                if (primarySignature.Outputs[o].Name == predictionName)
                {
                    primaryOutput = o;
                }
            }
            for (var o = 0; o < signature.Outputs.Count; o++)
            {
                if (signature.Outputs[o].Name == predictionName)
                {
                    _outputIndex = o;
                }
            }
            if (primaryOutput < 0 || _outputIndex < 0 || primarySignature.Outputs[primaryOutput].DataType != Core.Protocol.TensorDataType.Fp32)
            {
                return false;
            }
            var values = MemoryMarshal.Cast<byte, float>(primary.Result.Outputs[primaryOutput].Bytes);
            _primary = ArrayPool<float>.Shared.Rent(Math.Max(1, values.Length));
            values.CopyTo(_primary);
            _primaryLength = values.Length;
            return true;
        }

        public async Task RunAsync()
        {
            var outcome = "error";
            using var timeout = new CancellationTokenSource(owner._timeout);
            try
            {
                _item.Aborted = timeout.Token;
                if (!shadow.Batcher!.TryEnqueue(_item, runInline: false))
                {
                    outcome = "dropped";
                    runtime.Shadow.RecordDrop();
                    return;
                }
                var status = await _item.Completion.ConfigureAwait(false);
                if (status == WorkStatus.Completed && !timeout.IsCancellationRequested)
                {
                    var shadowValues = MemoryMarshal.Cast<byte, float>(_item.Result.Outputs[_outputIndex].Bytes);
                    runtime.Shadow.Record(_primary.AsSpan(0, _primaryLength), shadowValues);
                    outcome = "compared";
                }
                else if (status is WorkStatus.Failed or WorkStatus.InvalidInput)
                {
                    runtime.Shadow.RecordError();
                }
                else
                {
                    outcome = "timeout";
                    runtime.Shadow.RecordTimeout();
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                runtime.Shadow.RecordError();
            }
            finally
            {
                Finish(outcome);
            }
        }

        public void Finish(string outcome)
        {
            if (outcome == "error" && _primary is null)
            {
                runtime.Shadow.RecordError();
            }
            Outcomes.WithLabels(shadow.Model, shadow.VersionText, outcome).Inc();
            var snapshot = runtime.Shadow.Snapshot();
            Agreement.WithLabels(shadow.Model, shadow.VersionText).Set(snapshot.AgreementRate);
            MeanAbsoluteDifference.WithLabels(shadow.Model, shadow.VersionText).Set(snapshot.MeanAbsoluteDifference);
            InferenceWorkItem.Return(_item);
            if (_primary is not null)
            {
                ArrayPool<float>.Shared.Return(_primary);
            }
            shadow.Release();
            Interlocked.Decrement(ref owner._inFlight);
        }
    }
}
