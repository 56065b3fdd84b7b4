using System.Globalization;
using Serving.Core.Outcomes;
using Serving.Core.Registry;
using Serving.Core.Repository;
using Serving.Core.Storage;

namespace Serving.Core.Rollouts;

/// <summary>
/// The rules a <see cref="RolloutPolicy"/> must satisfy before it is stored. Validation happens at the
/// boundary (the store's compare-and-swap, the admin API); the router trusts a stored policy.
/// </summary>
internal static class RolloutPolicyValidator
{
    /// <summary>Every broken rule, each as one operator-readable sentence; empty when the policy is valid.</summary>
    public static IReadOnlyList<string> Validate(RolloutPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var errors = new List<string>();

        // Same rule as the registry's model names: they become file names, Redis keys and URL segments.
        if (!ModelNames.IsValidModel(policy.Model))
        {
            errors.Add($"model '{policy.Model}' is not a valid name: a letter or digit, then up to 127 letters, digits, '-', '_' or '.'");
        }

        if (policy.Revision < 0)
        {
            errors.Add(Format($"revision {policy.Revision} is negative"));
        }

        if (!IsHeaderName(policy.RoutingKeyHeader))
        {
            errors.Add($"routing_key_header '{policy.RoutingKeyHeader}' is not a valid HTTP header name");
        }

        switch (policy.Mode)
        {
            case RolloutMode.None:
                if (policy.Canary is not null)
                {
                    errors.Add("canary settings are given but mode is none; set mode to canary or remove them");
                }

                if (policy.BlueGreen is not null)
                {
                    errors.Add("blue_green settings are given but mode is none; set mode to blue_green or remove them");
                }

                break;

            case RolloutMode.Canary:
                ValidateCanary(policy, errors);
                break;

            case RolloutMode.BlueGreen:
                ValidateBlueGreen(policy, errors);
                break;

            default:
                errors.Add(Format($"mode {(int)policy.Mode} is unknown; use none, canary or blue_green"));
                break;
        }

        if (policy.Plan is not null && policy.Mode != RolloutMode.Canary)
        {
            errors.Add("a progressive plan needs mode canary");
        }

        if (policy.Shadow is { } shadow)
        {
            ValidateShadow(policy, shadow, errors);
        }

        if (policy.Plan is { } plan)
        {
            ValidatePlan(plan, policy.Progress, errors);
        }

        return errors;
    }

    /// <summary>The validation result as a <see cref="StoreError"/> (all problems joined by "; "), or null when valid.</summary>
    public static StoreError? Check(RolloutPolicy policy)
    {
        IReadOnlyList<string> errors = Validate(policy);
        return errors.Count == 0 ? null : new StoreError(StoreErrorCode.InvalidArgument, string.Join("; ", errors));
    }

    /// <summary>
    /// Checks a policy against the registry before it is accepted (docs/rollouts.md, "Which versions a
    /// policy may name"): every version it names must be registered and in Staging or Production, the
    /// stages whose versions every replica loads. Null when it holds.
    /// </summary>
    /// <param name="policy">The policy to be stored.</param>
    /// <param name="registry">The registry's state of the policy's model; null when the model is not registered.</param>
    public static StoreError? CheckVersions(RolloutPolicy policy, ModelState? registry)
    {
        ArgumentNullException.ThrowIfNull(policy);
        foreach (int number in policy.NamedVersions())
        {
            ModelVersion? version = registry?.FindVersion(number);
            if (version is null)
            {
                return new StoreError(StoreErrorCode.VersionUnavailable, Format(
                    $"version {number} of model '{policy.Model}' does not exist in the registry; a rollout may name only registered versions in Staging or Production"));
            }

            if (version.Stage is not (ModelStage.Staging or ModelStage.Production))
            {
                return new StoreError(StoreErrorCode.VersionUnavailable, Format(
                    $"version {number} of model '{policy.Model}' is in stage {version.Stage}; a rollout may name only versions in Staging or Production (move it to Staging first)"));
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="model"/> is a valid model name (the registry's rule).</summary>
    public static bool IsValidModelName(string model) => ModelNames.IsValidModel(model);

    /// <summary>Every broken rule of analysis thresholds, prefixed with <paramref name="where"/>.</summary>
    public static void ValidateThresholds(AnalysisThresholds t, string where, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(errors);
        if (t.MinimumRequests < 1)
        {
            errors.Add(Format($"{where}: minimum_requests {t.MinimumRequests} must be at least 1 (analysis never passes on no data)"));
        }

        if (t.MinimumPredictions < 1)
        {
            errors.Add(Format($"{where}: minimum_predictions {t.MinimumPredictions} must be at least 1"));
        }

        if (t.MinimumShadowComparisons < 1)
        {
            errors.Add(Format($"{where}: minimum_shadow_comparisons {t.MinimumShadowComparisons} must be at least 1"));
        }

        RequireRange(t.MaxErrorRateIncrease, 0, 1, $"{where}: max_error_rate_increase", errors);
        RequireRange(t.MaxErrorRateRatio, 0, double.MaxValue, $"{where}: max_error_rate_ratio", errors);
        RequireRange(t.MaxLatencyP99Ratio, 0, double.MaxValue, $"{where}: max_latency_p99_ratio", errors);
        RequireRange(t.MaxPredictionPsi, 0, double.MaxValue, $"{where}: max_prediction_psi", errors);
        RequireRange(t.MaxPredictionKsStatistic, 0, 1, $"{where}: max_prediction_ks_statistic", errors);
        RequireRange(t.MinPredictionKsPValue, 0, 1, $"{where}: min_prediction_ks_p_value", errors);
        RequireRange(t.MinShadowAgreement, 0, 1, $"{where}: min_shadow_agreement", errors);
    }

    private static void ValidateCanary(RolloutPolicy policy, List<string> errors)
    {
        if (policy.BlueGreen is not null)
        {
            errors.Add("blue_green settings are given but mode is canary; remove them");
        }

        if (policy.Canary is not { } canary)
        {
            errors.Add("mode canary needs canary settings (stable_version, canary_version, weight)");
            return;
        }

        if (canary.StableVersion < 1)
        {
            errors.Add(Format($"canary.stable_version {canary.StableVersion} is missing or not a version (1 or more)"));
        }

        if (canary.CanaryVersion is { } version)
        {
            if (version < 1)
            {
                errors.Add(Format($"canary.canary_version {version} is not a version (1 or more)"));
            }
            else if (version == canary.StableVersion)
            {
                errors.Add(Format($"canary.canary_version {version} is the same as canary.stable_version; a canary must be a different version"));
            }
        }

        RequirePercentage(canary.Weight, "canary.weight", errors);
        if (canary.CanaryVersion is null && canary.Weight > 0)
        {
            errors.Add(Format($"canary.weight {canary.Weight} needs canary.canary_version"));
        }

        if (canary.CanaryVersion is null && policy.Plan is not null && policy.Progress is not { Status: RolloutStatus.Promoted or RolloutStatus.Aborted })
        {
            errors.Add("a progressive plan needs canary.canary_version");
        }
    }

    private static void ValidateBlueGreen(RolloutPolicy policy, List<string> errors)
    {
        if (policy.Canary is not null)
        {
            errors.Add("canary settings are given but mode is blue_green; remove them");
        }

        if (policy.BlueGreen is not { } blueGreen)
        {
            errors.Add("mode blue_green needs blue_green settings (active_version, preview_version)");
            return;
        }

        if (blueGreen.ActiveVersion < 1)
        {
            errors.Add(Format($"blue_green.active_version {blueGreen.ActiveVersion} is missing or not a version (1 or more)"));
        }

        if (blueGreen.PreviewVersion is { } preview)
        {
            if (preview < 1)
            {
                errors.Add(Format($"blue_green.preview_version {preview} is not a version (1 or more)"));
            }
            else if (preview == blueGreen.ActiveVersion)
            {
                errors.Add(Format($"blue_green.preview_version {preview} is the same as blue_green.active_version"));
            }
        }

        if (!IsHeaderName(blueGreen.PreviewHeader))
        {
            errors.Add($"blue_green.preview_header '{blueGreen.PreviewHeader}' is not a valid HTTP header name");
        }
    }

    private static void ValidateShadow(RolloutPolicy policy, ShadowSettings shadow, List<string> errors)
    {
        if (shadow.Version < 1)
        {
            errors.Add(Format($"shadow.version {shadow.Version} is missing or not a version (1 or more)"));
        }

        RequirePercentage(shadow.Percentage, "shadow.percentage", errors);
        if (!double.IsFinite(shadow.DecisionThreshold))
        {
            errors.Add(Format($"shadow.decision_threshold {shadow.DecisionThreshold} must be a finite number"));
        }

        int primary = policy.Mode switch
        {
            RolloutMode.Canary => policy.Canary?.StableVersion ?? 0,
            RolloutMode.BlueGreen => policy.BlueGreen?.ActiveVersion ?? 0,
            _ => 0,
        };
        if (primary != 0 && shadow.Version == primary)
        {
            errors.Add(Format($"shadow.version {shadow.Version} is the version that already serves the traffic; shadow a different version"));
        }
    }

    private static void ValidatePlan(RolloutPlan plan, RolloutProgress? progress, List<string> errors)
    {
        if (plan.Steps.IsDefaultOrEmpty)
        {
            errors.Add("plan.steps is empty; give at least one step");
            return;
        }

        for (int i = 0; i < plan.Steps.Length; i++)
        {
            string where = Format($"plan.steps[{i}]");
            switch (plan.Steps[i])
            {
                case SetWeightStep setWeight:
                    RequirePercentage(setWeight.Weight, where + ".weight", errors);
                    break;

                case PauseStep { Duration: { } duration } when duration < TimeSpan.Zero:
                    errors.Add(Format($"{where}.duration_seconds {duration.TotalSeconds} is negative"));
                    break;

                case PauseStep:
                    break;

                case AnalysisStep analysis:
                    if (analysis.Interval <= TimeSpan.Zero)
                    {
                        errors.Add(Format($"{where}.interval_seconds {analysis.Interval.TotalSeconds} must be positive"));
                    }

                    if (analysis.RequiredPasses < 1)
                    {
                        errors.Add(Format($"{where}.required_passes {analysis.RequiredPasses} must be at least 1"));
                    }

                    if (analysis.MaxWait is { } maxWait && maxWait <= TimeSpan.Zero)
                    {
                        errors.Add(Format($"{where}.max_wait_seconds {maxWait.TotalSeconds} must be positive"));
                    }

                    if (analysis.Thresholds is null)
                    {
                        errors.Add($"{where}.thresholds is missing");
                    }
                    else
                    {
                        ValidateThresholds(analysis.Thresholds, where + ".thresholds", errors);
                    }

                    break;

                case ExperimentStep experiment:
                    ValidateExperiment(experiment, where, errors);
                    break;

                case null:
                    errors.Add($"{where} is null");
                    break;

                default:
                    errors.Add($"{where} has an unknown type");
                    break;
            }
        }

        if (progress is not null && (progress.StepIndex < 0 || progress.StepIndex > plan.Steps.Length))
        {
            errors.Add(Format($"progress.step_index {progress.StepIndex} is outside the plan's {plan.Steps.Length} steps"));
        }
    }

    private static void ValidateExperiment(ExperimentStep step, string where, List<string> errors)
    {
        if (!OutcomeMetrics.TryParse(step.Metric, out _))
        {
            errors.Add(Format($"{where}.metric '{step.Metric}' is unknown; use one of {string.Join(", ", OutcomeMetrics.Names)}"));
        }

        if (step.Interval <= TimeSpan.Zero)
        {
            errors.Add(Format($"{where}.interval_seconds {step.Interval.TotalSeconds} must be positive"));
        }

        if (!(step.MixtureStandardDeviation > 0) || !double.IsFinite(step.MixtureStandardDeviation))
        {
            errors.Add(Format($"{where}.mixture_standard_deviation {step.MixtureStandardDeviation} must be a positive number: the effect size, in the metric's units, the test is most sensitive to (e.g. 0.02 for accuracy)"));
        }

        if (!(step.Alpha is > 0 and < 1))
        {
            errors.Add(Format($"{where}.alpha {step.Alpha} must be between 0 and 1"));
        }

        if (!(step.NonInferiorityMargin >= 0) || !double.IsFinite(step.NonInferiorityMargin))
        {
            errors.Add(Format($"{where}.non_inferiority_margin {step.NonInferiorityMargin} must be 0 or more"));
        }

        if (step.MinimumPerArm < 2)
        {
            errors.Add(Format($"{where}.minimum_per_arm {step.MinimumPerArm} must be at least 2 (an arm's variance needs two observations)"));
        }

        if (step.MaxSamplesPerArm is { } max && max < step.MinimumPerArm)
        {
            errors.Add(Format($"{where}.max_samples_per_arm {max} is below minimum_per_arm {step.MinimumPerArm}"));
        }

        if (!(step.DecisionThreshold is >= 0 and <= 1))
        {
            errors.Add(Format($"{where}.decision_threshold {step.DecisionThreshold} must be between 0 and 1"));
        }

        if (step.MaxWait is { } maxWait && maxWait <= TimeSpan.Zero)
        {
            errors.Add(Format($"{where}.max_wait_seconds {maxWait.TotalSeconds} must be positive"));
        }
    }

    private static void RequirePercentage(double value, string name, List<string> errors)
    {
        if (!(value >= 0 && value <= 100))
        {
            errors.Add(Format($"{name} {value} is outside 0-100"));
        }
        else if (!CohortHash.IsOnGrid(value))
        {
            errors.Add(Format($"{name} {value} is finer than the {CohortHash.WeightResolution} resolution; round it to two decimals"));
        }
    }

    private static void RequireRange(double? value, double min, double max, string name, List<string> errors)
    {
        if (value is { } v && !(v >= min && v <= max))
        {
            errors.Add(max == double.MaxValue
                ? Format($"{name} {v} must be a number of at least {min}")
                : Format($"{name} {v} is outside {min}-{max}"));
        }
    }

    private static bool IsHeaderName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        // RFC 9110 token characters.
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

}
