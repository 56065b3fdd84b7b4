using Prometheus;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Rollouts;

/// <summary>
/// The live side of one model's rollout: the current policy (replaced atomically), the per-cohort
/// windows that canary analysis compares, and the shadow comparison. Survives policy updates so that
/// changing a weight does not throw away the evidence gathered so far.
/// </summary>
internal sealed class RolloutRuntime
{
    private static readonly Counter Fallbacks = Prometheus.Metrics.CreateCounter(
        "serving_routing_fallbacks_total",
        "Requests whose rollout variant could not answer here and that went to another version (not_loaded: the version is not loaded; not_ready: it is loading, failed or leaving).",
        new CounterConfiguration { LabelNames = ["model", "reason"] });

    private RolloutPolicy _policy;
    private Counter.Child? _notLoaded;
    private Counter.Child? _notReady;

    public RolloutRuntime(RolloutPolicy policy, TimeProvider time)
    {
        _policy = policy;
        Control = new CanaryWindowRecorder(time);
        Candidate = new CanaryWindowRecorder(time);
        Shadow = new ShadowComparison(policy.Shadow?.DecisionThreshold ?? ShadowSettings.DefaultDecisionThreshold);
    }

    public RolloutPolicy Policy
    {
        get => Volatile.Read(ref _policy);
        set => Volatile.Write(ref _policy, value);
    }

    /// <summary>Requests answered by the stable (or active) version.</summary>
    public CanaryWindowRecorder Control { get; }

    /// <summary>Requests answered by the canary (or preview) version.</summary>
    public CanaryWindowRecorder Candidate { get; }

    /// <summary>Primary vs shadow outputs.</summary>
    public ShadowComparison Shadow { get; set; }

    /// <summary>The last analysis, for status.</summary>
    public AnalysisOutcome? LastAnalysis { get; set; }

    /// <summary>When <see cref="LastAnalysis"/> ran.</summary>
    public DateTimeOffset? LastAnalysisAt { get; set; }

    /// <summary>Stable-side windows gathered while the analysis waits for enough samples (rollout loop only).</summary>
    public CanaryWindow? PendingControl { get; set; }

    /// <summary>Canary-side windows gathered while the analysis waits for enough samples (rollout loop only).</summary>
    public CanaryWindow? PendingCandidate { get; set; }

    /// <summary>
    /// Counts a request that the policy sent to a version that could not answer it here and that another
    /// version answered. The label children are created once per model, off the common path.
    /// </summary>
    /// <param name="loaded">Whether the wanted version is loaded (but not ready) rather than absent.</param>
    public void CountFallback(bool loaded)
    {
        if (loaded)
        {
            (_notReady ??= Fallbacks.WithLabels(Policy.Model, "not_ready")).Inc();
        }
        else
        {
            (_notLoaded ??= Fallbacks.WithLabels(Policy.Model, "not_loaded")).Inc();
        }
    }

    /// <summary>The recorder that a request answered as <paramref name="variant"/> feeds, or null.</summary>
    public CanaryWindowRecorder? RecorderFor(RouteVariant variant) => variant switch
    {
        RouteVariant.Stable or RouteVariant.Active => Control,
        RouteVariant.Canary or RouteVariant.Preview => Candidate,
        _ => null,
    };
}
