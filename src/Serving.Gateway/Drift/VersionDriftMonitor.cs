using System.Runtime.InteropServices;
using Serving.Core.Drift;
using Serving.Gateway.Batching;

namespace Serving.Gateway.Drift;

/// <summary>
/// Drift monitoring of one loaded version: records each answered request's feature rows and
/// predictions into the open window (lock-free), and keeps the evaluator and the last evaluation
/// for the background loop and the admin API.
/// </summary>
internal sealed class VersionDriftMonitor
{
    private readonly int _featureInput;
    private readonly int _predictionOutput;
    private readonly int _featureCount;
    private readonly int _outputCount;
    private IReadOnlyList<AlarmSnapshot> _alarms = [];
    private IReadOnlyList<DriftHistoryWindow> _history = [];

    public VersionDriftMonitor(ReferenceProfile profile, DriftRecorder recorder, DriftEvaluator evaluator, DriftThresholds thresholds, int featureInput, int predictionOutput)
    {
        Profile = profile;
        Recorder = recorder;
        Evaluator = evaluator;
        Thresholds = thresholds;
        _featureInput = featureInput;
        _predictionOutput = predictionOutput;
        _featureCount = profile.FeatureCount;
        _outputCount = profile.OutputCount;
    }

    public ReferenceProfile Profile { get; }

    public DriftRecorder Recorder { get; }

    public DriftEvaluator Evaluator { get; }

    public DriftThresholds Thresholds { get; }

    /// <summary>
    /// The alarms as of the last evaluation (or as restored at start), published by the evaluation loop for
    /// readers on other threads. Replaced, never mutated.
    /// </summary>
    public IReadOnlyList<AlarmSnapshot> Alarms
    {
        get => Volatile.Read(ref _alarms);
        set => Volatile.Write(ref _alarms, value);
    }

    /// <summary>The last closed (judged) windows, oldest first; the last one is the current evidence, kept when traffic stops (at most <see cref="DriftOptions.HistorySize"/>). Replaced, never mutated.</summary>
    public IReadOnlyList<DriftHistoryWindow> History => Volatile.Read(ref _history);

    /// <summary>Appends a closed window to the history, dropping the oldest beyond <paramref name="capacity"/>. Evaluation loop only.</summary>
    public void AddHistory(DriftHistoryWindow window, int capacity)
    {
        var current = History;
        var keep = Math.Max(0, Math.Min(current.Count, capacity - 1));
        var next = new DriftHistoryWindow[keep + 1];
        for (var i = 0; i < keep; i++)
        {
            next[i] = current[current.Count - keep + i];
        }
        next[keep] = window;
        Volatile.Write(ref _history, next);
    }

    /// <summary>Puts back the persisted history (at start, before any window is evaluated).</summary>
    public void RestoreHistory(IReadOnlyList<DriftHistoryWindow> history) => Volatile.Write(ref _history, history);

    /// <summary>Records the rows of an answered request. Called after its response was written.</summary>
    public void Record(InferenceWorkItem item)
    {
        var rows = item.Rows;
        var features = MemoryMarshal.Cast<byte, float>(item.Request.Inputs[_featureInput].Bytes);
        var predictions = MemoryMarshal.Cast<byte, float>(item.Result.Outputs[_predictionOutput].Bytes);
        if (rows <= 0 || features.Length != rows * _featureCount || predictions.Length != rows * _outputCount)
        {
            return;
        }
        Recorder.Record(features, rows, predictions);
    }
}
