using System.Globalization;
using Serving.Core.Outcomes;
using Serving.Core.Rollouts;
using StackExchange.Redis;

namespace Serving.Gateway.Experiments;

/// <summary>
/// The arms in Redis, shared by every replica: hash <c>{prefix}:{model}:{experiment}</c> with fields
/// <c>stable:n</c>, <c>stable:sum</c>, <c>stable:sumsq</c> and the same for <c>canary</c>, each added with
/// HINCRBYFLOAT (fire and forget, so the feedback request never waits), expiring <see cref="Retention"/> after
/// the last addition. Sums rather than Welford's running variance because only additions commute across
/// replicas (see <see cref="SampleMoments.FromSums"/>).
/// </summary>
internal sealed partial class RedisExperimentArmStore(IConnectionMultiplexer redis, string keyPrefix, ILogger<RedisExperimentArmStore> logger) : IExperimentArmStore
{
    /// <summary>The default key prefix.</summary>
    public const string DefaultKeyPrefix = "serving:experiments";

    /// <summary>How long an experiment's arms outlive their last addition.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    /// <inheritdoc />
    public void Add(string model, string experiment, string arm, double value)
    {
        try
        {
            IDatabase db = redis.GetDatabase();
            RedisKey key = Key(model, experiment);
            string prefix = arm == VariantNames.Canary ? VariantNames.Canary : VariantNames.Stable;
            IBatch batch = db.CreateBatch();
            _ = batch.HashIncrementAsync(key, prefix + ":n", 1.0, CommandFlags.FireAndForget);
            _ = batch.HashIncrementAsync(key, prefix + ":sum", value, CommandFlags.FireAndForget);
            _ = batch.HashIncrementAsync(key, prefix + ":sumsq", value * value, CommandFlags.FireAndForget);
            _ = batch.KeyExpireAsync(key, Retention, CommandFlags.FireAndForget);
            batch.Execute();
        }
        catch (RedisException ex)
        {
            LogWriteFailed(logger, model, ex.Message);
        }
    }

    /// <inheritdoc />
    public async Task<(SampleMoments Stable, SampleMoments Canary)> ReadAsync(string model, string experiment, CancellationToken cancellationToken)
    {
        HashEntry[] entries;
        try
        {
            entries = await redis.GetDatabase().HashGetAllAsync(Key(model, experiment)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogReadFailed(logger, model, ex.Message);
            return (new SampleMoments(), new SampleMoments());
        }

        return (Arm(entries, VariantNames.Stable), Arm(entries, VariantNames.Canary));
    }

    private RedisKey Key(string model, string experiment) => keyPrefix + ":" + model + ":" + experiment;

    private static SampleMoments Arm(HashEntry[] entries, string arm)
    {
        double n = 0, sum = 0, squares = 0;
        foreach (HashEntry entry in entries)
        {
            string name = entry.Name.ToString();
            if (!name.StartsWith(arm + ":", StringComparison.Ordinal)
                || !double.TryParse(entry.Value.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double x))
            {
                continue;
            }

            switch (name.AsSpan(arm.Length + 1))
            {
                case "n":
                    n = x;
                    break;
                case "sum":
                    sum = x;
                    break;
                case "sumsq":
                    squares = x;
                    break;
            }
        }

        return SampleMoments.FromSums((long)Math.Round(n), sum, squares);
    }

    [LoggerMessage(EventId = 6700, Level = LogLevel.Warning, Message = "Experiment of {Model}: an outcome could not be added in Redis ({Reason}); it is lost")]
    private static partial void LogWriteFailed(ILogger logger, string model, string reason);

    [LoggerMessage(EventId = 6701, Level = LogLevel.Warning, Message = "Experiment of {Model}: the arms could not be read from Redis ({Reason}); the look waits")]
    private static partial void LogReadFailed(ILogger logger, string model, string reason);
}
