using System.Globalization;
using Serving.Core.Outcomes;

namespace Serving.Core.Rollouts;

/// <summary>
/// One look at an <see cref="ExperimentStep"/>: the <see cref="SequentialTest"/> on the arms' summaries, as an
/// <see cref="AnalysisOutcome"/> the <see cref="RolloutController"/> applies like a canary analysis (pass: go
/// on; fail: abort; wait: look again after the interval). An experiment still inconclusive when both arms hold
/// <see cref="ExperimentStep.MaxSamplesPerArm"/> observations fails: the rollout aborts rather than promote a
/// version that never showed it is good enough.
/// </summary>
internal static class ExperimentAnalyzer
{
    /// <summary>Evaluates the step on the stable (control) and canary (treatment) arms.</summary>
    public static AnalysisOutcome Evaluate(ExperimentStep step, SampleMoments stable, SampleMoments canary)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(stable);
        ArgumentNullException.ThrowIfNull(canary);
        SequentialTestOptions options = step.TestOptions;
        SequentialTestResult test = SequentialTest.Evaluate(stable, canary, options);
        AnalysisVerdict verdict = test.Decision switch
        {
            ExperimentDecision.Pass => AnalysisVerdict.Pass,
            ExperimentDecision.Fail => AnalysisVerdict.Fail,
            _ => AnalysisVerdict.Wait,
        };
        bool exhausted = verdict == AnalysisVerdict.Wait && step.MaxSamplesPerArm is { } max && stable.Count >= max && canary.Count >= max;
        if (exhausted)
        {
            verdict = AnalysisVerdict.Fail;
        }

        var result = new ExperimentResult
        {
            Metric = step.Metric,
            Decision = verdict,
            StableCount = stable.Count,
            CanaryCount = canary.Count,
            StableMean = stable.Mean,
            CanaryMean = canary.Mean,
            Effect = test.Effect,
            Lower = test.Lower,
            Upper = test.Upper,
            PValue = test.PValue,
            Alpha = options.Alpha,
            NonInferiorityMargin = options.NonInferiorityMargin,
            HigherIsBetter = options.HigherIsBetter,
        };
        string numbers = Describe(result);
        string reason = verdict switch
        {
            AnalysisVerdict.Pass when options.NonInferiorityMargin > 0 && !(test.Lower > 0) =>
                numbers + Format($": not worse than stable by more than the margin {options.NonInferiorityMargin:G4}"),
            AnalysisVerdict.Pass => numbers + ": significant improvement",
            AnalysisVerdict.Fail when exhausted => numbers + Format($": inconclusive after {step.MaxSamplesPerArm} observations per arm"),
            AnalysisVerdict.Fail => numbers + ": significant harm",
            _ when stable.Count < options.MinimumPerArm || canary.Count < options.MinimumPerArm =>
                numbers + Format($": need {options.MinimumPerArm} labelled predictions per arm"),
            _ => numbers + ": not significant yet",
        };
        return new AnalysisOutcome { Verdict = verdict, Reason = reason, Experiment = result };
    }

    /// <summary>"experiment log_loss: canary 0.412 (n 1200) vs stable 0.371 (n 10800), improvement -0.041, 95 % always-valid interval [-0.06, -0.022], p 0.0003".</summary>
    public static string Describe(ExperimentResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return Format($"experiment {r.Metric}: canary {r.CanaryMean:G4} (n {r.CanaryCount}) vs stable {r.StableMean:G4} (n {r.StableCount}), improvement {r.Effect:G4}")
            + (double.IsNaN(r.Lower)
                ? ""
                : Format($", {100 * (1 - r.Alpha):0.##} % always-valid interval [{r.Lower:G4}, {r.Upper:G4}], p {r.PValue:G3}"));
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
