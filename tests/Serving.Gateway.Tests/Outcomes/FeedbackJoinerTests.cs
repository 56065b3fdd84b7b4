using Microsoft.Extensions.Options;
using Serving.Core.Outcomes;
using Serving.Gateway.Outcomes;
using Serving.Testing.Common;

namespace Serving.Gateway.Tests.Outcomes;

/// <summary>The join against the in-process log, on a clock the test moves: horizon, retention, capacity and what observers receive.</summary>
public sealed class FeedbackJoinerTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider _time = new(Start);

    [Fact]
    public async Task JoinAsync_WithinHorizon_GivesObserversTheJoinedPrediction()
    {
        var (store, joiner, observer) = Create(new OutcomeOptions { Horizon = TimeSpan.FromDays(7) });
        await store.WriteAsync([Logged("a", 0.8)], default);
        _time.Advance(TimeSpan.FromDays(6));

        var answer = await joiner.JoinAsync("m", [new Feedback("a", 1, 42.5)], default);

        Assert.Equal(1, answer.Joined);
        var seen = Assert.Single(observer.Seen);
        Assert.Equal(new LabelledPrediction("m", "2", "canary", "a", 0.8, 1, 42.5, Start, Start + TimeSpan.FromDays(6)), seen);
    }

    [Fact]
    public async Task JoinAsync_PastHorizon_ExpiredAndPastRetention_Unknown()
    {
        var (store, joiner, observer) = Create(new OutcomeOptions { Horizon = TimeSpan.FromDays(7) });
        await store.WriteAsync([Logged("a", 0.8)], default);

        _time.Advance(TimeSpan.FromDays(8));
        var late = await joiner.JoinAsync("m", [new Feedback("a", 1, null)], default);
        _time.Advance(TimeSpan.FromDays(7));
        var forgotten = await joiner.JoinAsync("m", [new Feedback("a", 1, null)], default);

        Assert.Equal(["a"], late.Expired);
        Assert.Equal(["a"], forgotten.Unknown);
        Assert.Empty(observer.Seen);
    }

    [Fact]
    public async Task JoinAsync_OverCapacity_OldestEvictedAndOtherModelsIdsUnknown()
    {
        var (store, joiner, _) = Create(new OutcomeOptions { LocalCapacity = 2 });
        await store.WriteAsync([Logged("a", 0.1), Logged("b", 0.2), Logged("c", 0.3)], default);

        var answer = await joiner.JoinAsync("m", [new Feedback("a", 0, null), new Feedback("b", 0, null), new Feedback("c", 0, null)], default);
        var otherModel = await joiner.JoinAsync("other", [new Feedback("b", 0, null)], default);

        Assert.Equal(2, store.Count);
        Assert.Equal(["a"], answer.Unknown);
        Assert.Equal(2, answer.Joined);
        Assert.Equal(["b"], otherModel.Unknown);
    }

    private (LocalPredictionStore Store, FeedbackJoiner Joiner, RecordingObserver Observer) Create(OutcomeOptions options)
    {
        var wrapped = Options.Create(options);
        var store = new LocalPredictionStore(wrapped, _time);
        var observer = new RecordingObserver();
        return (store, new FeedbackJoiner(store, [observer], wrapped, _time), observer);
    }

    private static LoggedPrediction Logged(string id, double score) => new("m", "2", "canary", id, score, Start);

    private sealed class RecordingObserver : ILabelledPredictionObserver
    {
        public List<LabelledPrediction> Seen { get; } = [];

        public void Observe(LabelledPrediction prediction) => Seen.Add(prediction);
    }
}
