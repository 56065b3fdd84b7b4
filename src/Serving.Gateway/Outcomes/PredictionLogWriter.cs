using System.Buffers;
using System.Globalization;
using Prometheus;
using Serving.Gateway.Metrics;
using StackExchange.Redis;

namespace Serving.Gateway.Outcomes;

/// <summary>
/// Drains <see cref="PredictionLog"/> in batches: each prediction goes to the <see cref="IPredictionStore"/>, then to
/// the label-free window of <see cref="OnlinePerformance"/>. A store that fails (Redis down) loses
/// the batch, counted in <c>serving_prediction_log_errors_total</c> and logged once per outage; serving goes on.
/// </summary>
internal sealed partial class PredictionLogWriter(
    PredictionLog log, IPredictionStore store, OnlinePerformance performance, TimeProvider time, ILogger<PredictionLogWriter> logger) : BackgroundService
{
    private const int MaxBatch = 512;

    /// <summary>
    /// How often the label-free gauges are recomputed from here. Under load the writer wakes for a handful of
    /// predictions at a time; recomputing on every wake cost a third more CPU per request at c=64
    /// (loadtests/outcomes-overhead.sh, 72 against 54 µs); once a second, +0 to +8 %, within the shared machine's noise.
    /// </summary>
    private static readonly TimeSpan PublishInterval = TimeSpan.FromSeconds(1);

    private long _lastPublished;

    public static readonly Counter Written = Prometheus.Metrics.CreateCounter(
        "serving_prediction_log_written_total", "Predictions written to the prediction log.",
        new CounterConfiguration { ExemplarBehavior = ServingMetrics.NoExemplars });

    public static readonly Counter Errors = Prometheus.Metrics.CreateCounter(
        "serving_prediction_log_errors_total", "Predictions lost because the prediction log's store failed (Redis unreachable).",
        new CounterConfiguration { ExemplarBehavior = ServingMetrics.NoExemplars });

    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = log.Pending;
        var batch = new List<LoggedPrediction>(MaxBatch);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var pending))
                {
                    Expand(pending, batch);
                }
                await WriteAsync(batch, stoppingToken).ConfigureAwait(false);
                // After the write, so that a prediction the label-free window counts can be joined with its feedback.
                foreach (var prediction in batch)
                {
                    performance.ObservePrediction(prediction);
                }
                if (time.GetElapsedTime(_lastPublished) >= PublishInterval)
                {
                    _lastPublished = time.GetTimestamp();
                    performance.Publish();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still queued is not worth delaying the shutdown for.
        }
    }

    private async Task WriteAsync(List<LoggedPrediction> batch, CancellationToken stoppingToken)
    {
        try
        {
            await store.WriteAsync(batch, stoppingToken).ConfigureAwait(false);
            Written.Inc(batch.Count);
            if (_failing)
            {
                _failing = false;
                LogRecovered(logger);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Errors.Inc(batch.Count);
            if (!_failing)
            {
                _failing = true;
                LogStoreFailed(logger, e.Message);
            }
        }
    }

    /// <summary>One logged prediction per row: a multi-row request's rows are <c>{id}/0</c>, <c>{id}/1</c>, ….</summary>
    private static void Expand(in PendingPrediction pending, List<LoggedPrediction> batch)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(pending.UnixMilliseconds);
        if (pending.RowScores is not { } scores)
        {
            batch.Add(new LoggedPrediction(pending.Model, pending.Version, pending.Variant, pending.RequestId, pending.Score, at));
            return;
        }
        for (var r = 0; r < pending.Rows; r++)
        {
            batch.Add(new LoggedPrediction(pending.Model, pending.Version, pending.Variant,
                pending.RequestId + "/" + r.ToString(CultureInfo.InvariantCulture), scores[r], at));
        }
        ArrayPool<double>.Shared.Return(scores);
    }

    [LoggerMessage(EventId = 6400, Level = LogLevel.Warning,
        Message = "The prediction log cannot write ({Reason}); predictions are not joinable with feedback until it recovers (counted in serving_prediction_log_errors_total).")]
    private static partial void LogStoreFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 6401, Level = LogLevel.Information, Message = "The prediction log writes again.")]
    private static partial void LogRecovered(ILogger logger);
}
