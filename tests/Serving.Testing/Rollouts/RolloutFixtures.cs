using System.Collections.Immutable;
using Serving.Core.Rollouts;

namespace Serving.Testing.Rollouts;

/// <summary>Policies and windows shared by the rollout tests.</summary>
internal static class RolloutFixtures
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static RolloutPolicy Canary(double weight, string model = "fraud", int stable = 3, int? canary = 4) => new()
    {
        Model = model,
        Mode = RolloutMode.Canary,
        Canary = new CanarySettings { StableVersion = stable, CanaryVersion = canary, Weight = weight },
    };

    public static RolloutPolicy BlueGreen(int active = 3, int? preview = 4) => new()
    {
        Model = "fraud",
        Mode = RolloutMode.BlueGreen,
        BlueGreen = new BlueGreenSettings { ActiveVersion = active, PreviewVersion = preview },
    };

    public static AnalysisThresholds Thresholds() => new()
    {
        MinimumRequests = 100,
        MaxErrorRateIncrease = 0.01,
        MaxLatencyP99Ratio = 1.5,
        MinimumPredictions = 100,
        MaxPredictionPsi = 0.2,
        MaxPredictionKsStatistic = 0.1,
        MinShadowAgreement = 0.95,
    };

    /// <summary>A progressive plan exercising every step kind.</summary>
    public static RolloutPlan Plan() => new()
    {
        Steps =
        [
            RolloutStep.SetWeight(10),
            RolloutStep.Pause(TimeSpan.FromMinutes(10)),
            RolloutStep.Analysis(Thresholds(), TimeSpan.FromMinutes(5)),
            RolloutStep.SetWeight(50),
            RolloutStep.Pause(),
            RolloutStep.SetWeight(100),
        ],
    };

    /// <summary>
    /// A cohort window: <paramref name="requests"/> requests of which <paramref name="errors"/> failed,
    /// latencies base + i·step seconds, and predictions from <paramref name="prediction"/>(i).
    /// </summary>
    public static CanaryWindow Window(long requests, long errors, double latencyBase, Func<int, float> prediction, int samples = 1000)
    {
        var latency = new double[samples];
        var predictions = new float[samples];
        for (int i = 0; i < samples; i++)
        {
            latency[i] = latencyBase + (i * latencyBase / samples);
            predictions[i] = prediction(i);
        }

        return new CanaryWindow
        {
            Requests = requests,
            Errors = errors,
            LatencySeconds = [.. latency],
            Predictions = [.. predictions],
            Start = T0,
            End = T0.AddMinutes(5),
        };
    }

    // Uniform grid on (0, 1): the same sequence the Python reference uses.
    public static float Uniform(int i) => (float)((i + 0.5) / 1000);

    // The grid nudged by a quarter step: a healthy canary.
    public static float UniformNudged(int i) => (float)((i + 0.25) / 1000);

    // The grid squeezed onto (0.3, 1): predictions shifted upward.
    public static float Shifted(int i) => (float)(0.3 + (0.7 * (i + 0.5) / 1000));

    public static ImmutableArray<RolloutStep> Steps(params RolloutStep[] steps) => [.. steps];
}
