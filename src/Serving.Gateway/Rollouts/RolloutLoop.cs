using System.Collections.Immutable;
using System.Globalization;
using Serving.Core.Registry;
using Serving.Core.Rollouts;
using Serving.Gateway.Alerts;
using Serving.Gateway.Experiments;

namespace Serving.Gateway.Rollouts;

/// <summary>
/// Progressive delivery: every tick, advances each active rollout plan (weights, pauses), runs canary
/// analysis when a step is due (canary vs stable on the same live window: error rate, p99 latency
/// ratio, prediction drift between the cohorts, shadow agreement; never passing on too few samples),
/// commits the new policy by compare-and-swap, and carries out its actions: on abort the weight is
/// already 0 in the committed policy, the registry archives the canary with the failing numbers and an
/// alert is sent; a passed plan promotes the canary to Production in the registry. Also the source of
/// the live numbers that <c>/admin/rollouts/{model}</c> shows.
/// </summary>
internal sealed partial class RolloutLoop(
    RolloutSyncService sync,
    IRolloutStore store,
    IRegistryStore registry,
    AlertNotifier alerts,
    IExperimentArmStore experiments,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<RolloutLoop> logger) : BackgroundService, IRolloutActionSink, IRolloutStatusSource
{
    private const string Actor = "rollout-controller";
    private const int MaxSamples = 10_000;

    private readonly TimeSpan _interval = configuration.GetValue("Serving:Rollouts:TickInterval", TimeSpan.FromSeconds(1));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var runtime in sync.Table.Runtimes)
                {
                    try
                    {
                        await AdvanceAsync(runtime, stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
                    {
                        LogAdvanceFailed(logger, runtime.Policy.Model, ex);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One step of one rollout. Internal so tests can drive it.</summary>
    internal async Task AdvanceAsync(RolloutRuntime runtime, CancellationToken cancellationToken)
    {
        var policy = runtime.Policy;
        if (policy.Plan is not { } plan || policy.Progress is not { IsActive: true } progress)
        {
            return;
        }
        var now = time.GetUtcNow();
        AnalysisOutcome? outcome = null;
        if (RolloutController.IsAnalysisDue(progress, now) && progress.StepIndex < plan.Steps.Length)
        {
            switch (plan.Steps[progress.StepIndex])
            {
                case AnalysisStep step:
                    outcome = Analyze(runtime, policy, step, now);
                    break;
                case ExperimentStep experiment:
                    outcome = await LookAsync(runtime, policy, progress, experiment, now, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        var transition = RolloutController.Advance(plan, progress, now, outcome);
        if (!transition.Changed)
        {
            return;
        }
        var next = RolloutController.Apply(policy, transition, now, Actor);
        var committed = await store.CompareAndSwapAsync(next, cancellationToken).ConfigureAwait(false);
        if (!committed.IsSuccess)
        {
            LogCommitFailed(logger, policy.Model, committed.Error!.Message);
            return;
        }
        await sync.RefreshAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(committed.Value, transition.Actions, cancellationToken).ConfigureAwait(false);
    }

    private AnalysisOutcome Analyze(RolloutRuntime runtime, RolloutPolicy policy, AnalysisStep step, DateTimeOffset now)
    {
        // Windows accumulate while the analysis waits for enough samples, and start afresh after a verdict.
        var control = runtime.Control.Rotate();
        var candidate = runtime.Candidate.Rotate();
        runtime.PendingControl = runtime.PendingControl?.Merge(control, MaxSamples, MaxSamples) ?? control;
        runtime.PendingCandidate = runtime.PendingCandidate?.Merge(candidate, MaxSamples, MaxSamples) ?? candidate;
        var outcome = CanaryAnalyzer.Analyze(runtime.PendingControl, runtime.PendingCandidate, step.Thresholds,
            policy.Shadow is null ? null : runtime.Shadow.Snapshot());
        runtime.LastAnalysis = outcome;
        runtime.LastAnalysisAt = now;
        if (outcome.Verdict != AnalysisVerdict.Wait)
        {
            runtime.PendingControl = null;
            runtime.PendingCandidate = null;
        }
        LogAnalysis(logger, policy.Model, outcome.Verdict, outcome.Reason);
        return outcome;
    }

    /// <summary>
    /// One look at a running experiment: the arms as the shared store holds them (every replica's feedback when
    /// Redis is configured), judged by the always-valid test. Any replica may look; the first to commit wins.
    /// </summary>
    private async Task<AnalysisOutcome> LookAsync(
        RolloutRuntime runtime, RolloutPolicy policy, RolloutProgress progress, ExperimentStep step, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (stable, canary) = await experiments.ReadAsync(policy.Model, ExperimentKey.Of(progress), cancellationToken).ConfigureAwait(false);
        var outcome = ExperimentAnalyzer.Evaluate(step, stable, canary);
        runtime.LastAnalysis = outcome;
        runtime.LastAnalysisAt = now;
        LogAnalysis(logger, policy.Model, outcome.Verdict, outcome.Reason);
        return outcome;
    }

    /// <inheritdoc />
    public async Task ExecuteAsync(RolloutPolicy policy, ImmutableArray<RolloutAction> actions, CancellationToken cancellationToken)
    {
        // The policy is the committed one: after a promotion the canary has become the stable (or the
        // preview the active) version, so that is the version to promote.
        var canary = policy.Canary?.CanaryVersion ?? policy.BlueGreen?.PreviewVersion;
        var promoted = policy.Canary?.CanaryVersion ?? policy.Canary?.StableVersion ?? policy.BlueGreen?.PreviewVersion ?? policy.BlueGreen?.ActiveVersion;
        foreach (var action in actions)
        {
            switch (action.Kind)
            {
                case RolloutActionKind.ResetAnalysisWindow when sync.Table.TryGet(policy.Model, out var runtime):
                    runtime.Control.Rotate();
                    runtime.Candidate.Rotate();
                    runtime.PendingControl = null;
                    runtime.PendingCandidate = null;
                    break;
                case RolloutActionKind.PromoteCanary when promoted is { } version:
                    await PromoteAsync(policy.Model, version, action.Message ?? "progressive rollout passed", cancellationToken).ConfigureAwait(false);
                    break;
                case RolloutActionKind.RecordRollback when canary is { } version:
                    await RecordRollbackAsync(policy.Model, version, action.Message ?? "rollout aborted", cancellationToken).ConfigureAwait(false);
                    break;
                case RolloutActionKind.SendAlert:
                    alerts.Publish(AbortAlert(policy.Model, canary, action.Message ?? "rollout aborted"));
                    break;
            }
        }
    }

    private async Task PromoteAsync(string model, int version, string reason, CancellationToken cancellationToken)
    {
        var state = await registry.GetAsync(model, cancellationToken).ConfigureAwait(false);
        if (state?.FindVersion(version) is { Stage: ModelStage.None or ModelStage.Archived })
        {
            await registry.TransitionAsync(model, version, new TransitionRequest(ModelStage.Staging, Actor, reason), cancellationToken).ConfigureAwait(false);
        }
        var promoted = await registry.TransitionAsync(model, version, new TransitionRequest(ModelStage.Production, Actor, reason), cancellationToken).ConfigureAwait(false);
        if (promoted.IsSuccess)
        {
            LogPromoted(logger, model, version);
        }
        else
        {
            LogPromotionRefused(logger, model, version, promoted.Error!.Message);
            alerts.Publish(AbortAlert(model, version, "The rollout passed but the registry refused the promotion: " + promoted.Error.Message));
        }
    }

    private async Task RecordRollbackAsync(string model, int version, string reason, CancellationToken cancellationToken)
    {
        var state = await registry.GetAsync(model, cancellationToken).ConfigureAwait(false);
        if (state?.FindVersion(version) is { Stage: ModelStage.None or ModelStage.Staging })
        {
            // The audit log keeps who (the rollout controller), when, and why: the failing numbers.
            await registry.TransitionAsync(model, version, new TransitionRequest(ModelStage.Archived, Actor, "canary rolled back: " + reason), cancellationToken)
                .ConfigureAwait(false);
        }
        LogRolledBack(logger, model, version, reason);
    }

    private Alert AbortAlert(string model, int? version, string message) => new()
    {
        Status = "firing",
        Labels = new Dictionary<string, string>
        {
            ["alertname"] = "CanaryRolloutAborted",
            ["severity"] = "critical",
            ["model"] = model,
            ["version"] = version?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["source"] = "serving-gateway",
        },
        Annotations = new Dictionary<string, string>
        {
            ["summary"] = $"{model}: the rollout of version {version} was aborted",
            ["description"] = message,
            ["runbook_url"] = "service.md#canaryrolloutaborted",
        },
        StartsAt = time.GetUtcNow(),
    };

    /// <inheritdoc />
    public RolloutLiveStatus? Get(string model)
    {
        if (!sync.Table.TryGet(model, out var runtime))
        {
            return null;
        }
        var policy = runtime.Policy;
        // The windows the analysis has taken and not yet judged, with what the open ones hold now: under
        // manual weights (no analysis) that is everything since the rollout started routing.
        var control = Live(runtime.PendingControl, runtime.Control);
        var candidate = Live(runtime.PendingCandidate, runtime.Candidate);
        return new RolloutLiveStatus
        {
            ObservedAt = time.GetUtcNow(),
            WindowStartedAt = control.Start < candidate.Start ? control.Start : candidate.Start,
            Variants =
            [
                Status(policy.BlueGreen is null ? VariantNames.Stable : VariantNames.Active,
                    policy.Canary?.StableVersion ?? policy.BlueGreen?.ActiveVersion ?? 0, control),
                Status(policy.BlueGreen is null ? VariantNames.Canary : VariantNames.Preview,
                    policy.Canary?.CanaryVersion ?? policy.BlueGreen?.PreviewVersion ?? 0, candidate),
            ],
            Shadow = policy.Shadow is null ? null : runtime.Shadow.Snapshot(),
            LastAnalysis = runtime.LastAnalysis,
            LastAnalysisAt = runtime.LastAnalysisAt,
        };
    }

    private static CanaryWindow Live(CanaryWindow? pending, CanaryWindowRecorder open) =>
        pending?.Merge(open.Peek(), MaxSamples, MaxSamples) ?? open.Peek();

    private static VariantLiveStatus Status(string variant, int version, CanaryWindow window) => new()
    {
        Variant = variant,
        Version = version,
        Requests = window.Requests,
        Errors = window.Errors,
        LatencyP99Seconds = window.LatencyP99(),
    };

    [LoggerMessage(EventId = 5101, Level = LogLevel.Error, Message = "Advancing the rollout of {Model} failed")]
    private static partial void LogAdvanceFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Rollout of {Model}: the next state was not committed ({Reason}); retrying next tick")]
    private static partial void LogCommitFailed(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Rollout of {Model}: analysis {Verdict}: {Reason}")]
    private static partial void LogAnalysis(ILogger logger, string model, AnalysisVerdict verdict, string reason);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "Rollout of {Model}: version {Version} promoted to Production")]
    private static partial void LogPromoted(ILogger logger, string model, int version);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Error, Message = "Rollout of {Model}: the registry refused to promote version {Version}: {Reason}")]
    private static partial void LogPromotionRefused(ILogger logger, string model, int version, string reason);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "Rollout of {Model}: version {Version} rolled back: {Reason}")]
    private static partial void LogRolledBack(ILogger logger, string model, int version, string reason);
}
