using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Serving.Gateway.Outcomes;

/// <summary>
/// The prediction log in Redis, shared by every replica: <c>{prefix}:p:{model}:{id}</c> holds
/// <c>version␉variant␉score␉unix-ms</c> and <c>{prefix}:l:{model}:{id}</c> marks it labelled (<c>SET NX</c>, so two
/// replicas given the same feedback join it once); both expire after the retention period.
/// </summary>
internal sealed class RedisPredictionStore : IPredictionStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly TimeSpan _retention;

    public RedisPredictionStore(IConnectionMultiplexer redis, IOptions<OutcomeOptions> options)
    {
        _redis = redis;
        _prefix = options.Value.RedisKeyPrefix;
        _retention = options.Value.EffectiveRetention;
    }

    public async Task WriteAsync(IReadOnlyList<LoggedPrediction> predictions, CancellationToken cancellationToken)
    {
        var batch = _redis.GetDatabase().CreateBatch();
        var writes = new Task[predictions.Count];
        for (var i = 0; i < predictions.Count; i++)
        {
            var p = predictions[i];
            writes[i] = batch.StringSetAsync(PredictionKey(p.Model, p.RequestId), Encode(p), _retention);
        }
        batch.Execute();
        await Task.WhenAll(writes).ConfigureAwait(false);
    }

    public async Task<LoggedPrediction?> FindAsync(string model, string requestId, CancellationToken cancellationToken)
    {
        var value = await _redis.GetDatabase().StringGetAsync(PredictionKey(model, requestId)).ConfigureAwait(false);
        return value.IsNull ? null : Decode(model, requestId, value.ToString());
    }

    public Task<bool> TryMarkLabelledAsync(string model, string requestId, CancellationToken cancellationToken) =>
        _redis.GetDatabase().StringSetAsync($"{_prefix}:l:{model}:{requestId}", 1, _retention, When.NotExists);

    private RedisKey PredictionKey(string model, string requestId) => $"{_prefix}:p:{model}:{requestId}";

    private static string Encode(LoggedPrediction p) => string.Join('\t',
        p.Version, p.Variant, p.Score.ToString("R", CultureInfo.InvariantCulture), p.PredictedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));

    /// <summary>The prediction a stored value describes; null for a value this version cannot read (treated as unknown).</summary>
    private static LoggedPrediction? Decode(string model, string requestId, string value)
    {
        var parts = value.Split('\t');
        if (parts.Length != 4
            || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var score)
            || !long.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var unixMs))
        {
            return null;
        }
        return new LoggedPrediction(model, parts[0], parts[1], requestId, score, DateTimeOffset.FromUnixTimeMilliseconds(unixMs));
    }
}
