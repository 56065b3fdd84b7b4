using System.Diagnostics.CodeAnalysis;
using Prometheus;
using Serving.Core.Rollouts;
using Serving.Core.Storage;
using Serving.Gateway.Experiments;
using Serving.Gateway.Storage;

namespace Serving.Gateway.Rollouts;

/// <summary>
/// Keeps <see cref="Table"/> equal to the rollout store: on every change the store reports (within a
/// second on every replica with Redis) and every few seconds regardless. A store that cannot be read
/// leaves the last known rollouts in force; one that cannot be read from the start puts the replica's
/// snapshot (<c>snapshot/rollouts.json</c> in the state directory) in force until it can.
/// </summary>
internal sealed partial class RolloutSyncService(
    IRolloutStore store, StoreSnapshot<RolloutPolicy> snapshot, TimeProvider time, ILogger<RolloutSyncService> logger) : BackgroundService, IRolloutPolicies
{
    private static readonly TimeSpan Resync = TimeSpan.FromSeconds(5);
    private static readonly Gauge Weight = Prometheus.Metrics.CreateGauge(
        "serving_rollout_canary_weight", "Current canary weight (0-100) per model.", new GaugeConfiguration { LabelNames = ["model"] });
    private static readonly Gauge Step = Prometheus.Metrics.CreateGauge(
        "serving_rollout_step", "Index of the current plan step per model (-1 without a plan).", new GaugeConfiguration { LabelNames = ["model"] });

    private readonly SemaphoreSlim _changed = new(0, 1);
    private volatile RolloutTable _table = RolloutTable.Empty;
    private bool _known;

    /// <summary>The rollouts in force.</summary>
    public RolloutTable Table => _table;

    /// <inheritdoc />
    public bool TryGetPolicy(string model, [MaybeNullWhen(false)] out RolloutPolicy policy)
    {
        var found = _table.TryGet(model, out var runtime);
        policy = found ? runtime.Policy : null;
        return found;
    }

    /// <summary>Reads the store now and publishes the result (also used by the rollout loop after it writes).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        Apply(await store.ListAsync(cancellationToken).ConfigureAwait(false));
        _known = true;
    }

    private void Apply(IReadOnlyList<RolloutPolicy> policies)
    {
        var current = _table;
        var next = new Dictionary<string, RolloutRuntime>(StringComparer.Ordinal);
        var changed = false;
        foreach (var policy in policies)
        {
            if (current.TryGet(policy.Model, out var runtime))
            {
                if (!ReferenceEquals(runtime.Policy, policy) && runtime.Policy.Revision != policy.Revision)
                {
                    if (runtime.Policy.Shadow?.Version != policy.Shadow?.Version)
                    {
                        runtime.Shadow = new ShadowComparison(policy.Shadow?.DecisionThreshold ?? ShadowSettings.DefaultDecisionThreshold);
                    }
                    runtime.Policy = policy;
                    changed = true;
                }
            }
            else
            {
                runtime = new RolloutRuntime(policy, time);
                changed = true;
            }
            next[policy.Model] = runtime;
            Weight.WithLabels(policy.Model).Set(policy.Canary?.Weight ?? 0);
            Step.WithLabels(policy.Model).Set(policy.Progress?.StepIndex ?? -1);
        }
        foreach (var old in current.Runtimes)
        {
            if (!next.ContainsKey(old.Policy.Model))
            {
                changed = true;
                Weight.RemoveLabelled(old.Policy.Model);
                Step.RemoveLabelled(old.Policy.Model);
            }
        }
        if (changed)
        {
            _table = new RolloutTable(next);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = WatchAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSyncFailed(logger, ex.Message);
                if (!_known && !snapshot.Items.IsEmpty)
                {
                    Apply(snapshot.Items);
                    _known = true;
                    LogServingSnapshot(logger, snapshot.Items.Length, snapshot.FilePath);
                }
            }
            try
            {
                await _changed.WaitAsync(Resync, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private Task WatchAsync(CancellationToken stoppingToken) =>
        StoreWatchLoop.FollowAsync(store.WatchAsync, Signal, reason => LogSyncFailed(logger, reason), stoppingToken);

    /// <summary>Asks for a refresh now.</summary>
    public void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "Reading rollouts failed; the last known rollouts stay in force: {Reason}")]
    private static partial void LogSyncFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "The rollout store has not been readable since start-up; {Count} rollout(s) from the snapshot {Path} are in force")]
    private static partial void LogServingSnapshot(ILogger logger, int count, string path);
}
