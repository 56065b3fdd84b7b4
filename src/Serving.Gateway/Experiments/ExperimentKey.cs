using System.Globalization;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Experiments;

/// <summary>The identity of one run of an experiment step: the step's index and when it began (a restarted plan is a new experiment).</summary>
internal static class ExperimentKey
{
    /// <summary>The key of the experiment step <paramref name="progress"/> is at, e.g. <c>1-638712345678900000</c>.</summary>
    public static string Of(RolloutProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return string.Create(CultureInfo.InvariantCulture, $"{progress.StepIndex}-{progress.StepStartedAt?.UtcTicks ?? 0}");
    }
}
