using Microsoft.Extensions.Options;
using Prometheus;
using Serving.Core.Outcomes;
using Serving.Gateway.Metrics;

namespace Serving.Gateway.Outcomes;

/// <summary>
/// Joins feedback with the prediction log: each id is unknown (never logged, or no longer kept), expired (logged
/// longer ago than <see cref="OutcomeOptions.Horizon"/>), duplicate (labelled before, by any replica sharing the
/// store) or joined, counted in <c>serving_feedback_total{model,outcome}</c>. Each joined prediction goes to every
/// registered <see cref="ILabelledPredictionObserver"/>, in order, on the caller's thread.
/// </summary>
internal sealed class FeedbackJoiner
{
    public static readonly Counter FeedbackTotal = Prometheus.Metrics.CreateCounter(
        "serving_feedback_total", "Feedback received, by what became of it (joined, unknown, expired, duplicate).",
        new CounterConfiguration { ExemplarBehavior = ServingMetrics.NoExemplars, LabelNames = ["model", "outcome"] });

    private readonly IPredictionStore _store;
    private readonly ILabelledPredictionObserver[] _observers;
    private readonly TimeProvider _time;
    private readonly TimeSpan _horizon;

    public FeedbackJoiner(
        IPredictionStore store, IEnumerable<ILabelledPredictionObserver> observers, IOptions<OutcomeOptions> options, TimeProvider time)
    {
        _store = store;
        _observers = [.. observers];
        _time = time;
        _horizon = options.Value.Horizon;
    }

    /// <summary>Joins <paramref name="feedback"/> for <paramref name="model"/>; a failing store throws (the endpoint answers 503).</summary>
    public async Task<FeedbackResponse> JoinAsync(string model, IReadOnlyList<Feedback> feedback, CancellationToken cancellationToken)
    {
        var joined = 0;
        List<string> unknown = [], expired = [], duplicate = [];
        try
        {
            foreach (var item in feedback)
            {
                var prediction = await _store.FindAsync(model, item.RequestId, cancellationToken).ConfigureAwait(false);
                var now = _time.GetUtcNow();
                if (prediction is null)
                {
                    unknown.Add(item.RequestId);
                }
                else if (now - prediction.PredictedAt > _horizon)
                {
                    expired.Add(item.RequestId);
                }
                else if (!await _store.TryMarkLabelledAsync(model, item.RequestId, cancellationToken).ConfigureAwait(false))
                {
                    duplicate.Add(item.RequestId);
                }
                else
                {
                    joined++;
                    var labelled = new LabelledPrediction(model, prediction.Version, prediction.Variant, prediction.RequestId, prediction.Score,
                        item.Label, item.Value, prediction.PredictedAt, now);
                    foreach (var observer in _observers)
                    {
                        observer.Observe(labelled);
                    }
                }
            }
        }
        finally
        {
            FeedbackTotal.WithLabels(model, "joined").Inc(joined);
            FeedbackTotal.WithLabels(model, "unknown").Inc(unknown.Count);
            FeedbackTotal.WithLabels(model, "expired").Inc(expired.Count);
            FeedbackTotal.WithLabels(model, "duplicate").Inc(duplicate.Count);
        }
        return new FeedbackResponse(joined, unknown, expired, duplicate);
    }
}
