using Serving.Core.Rollouts;
using Serving.Core.Tests.Drift;
using Serving.Testing.Rollouts;

namespace Serving.Core.Tests.Rollouts;

public class CanaryWindowRecorderTests
{
    [Fact]
    public void Rotate_AfterRequests_WindowHasCountsSamplesAndTimes()
    {
        var time = new ManualTimeProvider(RolloutFixtures.T0);
        var recorder = new CanaryWindowRecorder(time);

        recorder.RecordRequest(error: false, 0.010, [0.1f, 0.2f]);
        recorder.RecordRequest(error: true, 0.500, []);
        recorder.RecordRequest(error: false, 0.020, [0.3f]);
        time.Advance(TimeSpan.FromMinutes(1));
        CanaryWindow window = recorder.Rotate();

        Assert.Equal(3, window.Requests);
        Assert.Equal(1, window.Errors);
        Assert.Equal(1.0 / 3, window.ErrorRate, 1e-12);
        Assert.Equal([0.010, 0.500, 0.020], window.LatencySeconds.ToArray());
        Assert.Equal([0.1f, 0.2f, 0.3f], window.Predictions.ToArray());
        Assert.Equal(RolloutFixtures.T0, window.Start);
        Assert.Equal(RolloutFixtures.T0.AddMinutes(1), window.End);
        Assert.Equal(0, recorder.CurrentRequests);
    }

    [Fact]
    public void RecordRequest_PastCapacity_KeepsTheFirstValues()
    {
        var recorder = new CanaryWindowRecorder(new ManualTimeProvider(), latencyCapacity: 2, predictionCapacity: 3);

        recorder.RecordRequest(false, 1, [1f, 2f]);
        recorder.RecordRequest(false, 2, [3f, 4f]);
        recorder.RecordRequest(false, 3, [5f]);
        CanaryWindow window = recorder.Rotate();

        Assert.Equal(3, window.Requests);
        Assert.Equal([1.0, 2.0], window.LatencySeconds.ToArray());
        Assert.Equal([1f, 2f, 3f], window.Predictions.ToArray());
    }

    [Fact]
    public void Rotate_WhileRecording_NoRequestLostOrCountedTwice()
    {
        var recorder = new CanaryWindowRecorder(new ManualTimeProvider(), latencyCapacity: 100, predictionCapacity: 100);
        const int threads = 3;
        const int perThread = 50_000;
        long rotated = 0;
        long rotatedErrors = 0;
        using var done = new CountdownEvent(threads);

        var writers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            writers[t] = new Thread(() =>
            {
                for (int i = 0; i < perThread; i++)
                {
                    recorder.RecordRequest(i % 10 == 0, 0.001, [0.5f]);
                }

                done.Signal();
            });
            writers[t].Start();
        }

        while (!done.IsSet)
        {
            CanaryWindow window = recorder.Rotate();
            rotated += window.Requests;
            rotatedErrors += window.Errors;
            Assert.All(window.LatencySeconds, l => Assert.Equal(0.001, l));
        }

        CanaryWindow last = recorder.Rotate();
        rotated += last.Requests;
        rotatedErrors += last.Errors;

        Assert.Equal(threads * perThread, rotated);
        Assert.Equal(threads * perThread / 10, rotatedErrors);
    }

    [Fact]
    public void RecordRequest_RequestPath_AllocatesNothing()
    {
        var recorder = new CanaryWindowRecorder(new ManualTimeProvider(), latencyCapacity: 1000, predictionCapacity: 1000);
        var comparison = new ShadowComparison(0.5);
        float[] primary = [0.2f, 0.7f];
        float[] shadow = [0.3f, 0.4f];
        for (int i = 0; i < 1000; i++)
        {
            recorder.RecordRequest(i % 7 == 0, 0.01, primary);
            comparison.Record(primary, shadow);
        }

        // The best of a few rounds, as in VariantRouterTests: a real per-request allocation shows in every round.
        long fewest = long.MaxValue;
        for (int round = 0; round < 5 && fewest > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++)
            {
                recorder.RecordRequest(i % 7 == 0, 0.01, primary);
                comparison.Record(primary, shadow);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.InRange(recorder.CurrentRequests, 11_000, 51_000);
    }

    [Theory]
    [InlineData(-0.001)]
    [InlineData(double.NaN)]
    public void RecordRequest_InvalidLatency_Throws(double latency)
    {
        var recorder = new CanaryWindowRecorder(new ManualTimeProvider());

        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.RecordRequest(false, latency, []));
    }

    [Fact]
    public void LatencyP99_Sample_LinearInterpolationLikeNumpy()
    {
        // numpy.quantile(arange(1, 101) / 1000, 0.99) = 0.09901
        var window = new CanaryWindow { Requests = 100, LatencySeconds = [.. Enumerable.Range(1, 100).Reverse().Select(i => i / 1000.0)] };

        Assert.Equal(0.09901, window.LatencyP99(), 1e-12);
    }

    [Fact]
    public void LatencyP99_WithHistogram_UsesHistogram()
    {
        var window = new CanaryWindow
        {
            Requests = 100,
            LatencySeconds = [5.0],
            LatencyHistogram = new LatencyHistogram { UpperBounds = [0.1, 0.2, 0.5], Counts = [50, 40, 9, 1] },
        };

        Assert.Equal(0.5, window.LatencyP99(), 1e-12);
    }

    [Fact]
    public void Merge_TwoWindows_AddsCountsAndConcatenatesUpToCapacity()
    {
        var first = new CanaryWindow { Requests = 10, Errors = 1, LatencySeconds = [1, 2], Predictions = [0.1f], Start = RolloutFixtures.T0, End = RolloutFixtures.T0.AddMinutes(1) };
        var second = new CanaryWindow { Requests = 5, Errors = 2, LatencySeconds = [3, 4], Predictions = [0.2f, 0.3f], Start = RolloutFixtures.T0.AddMinutes(1), End = RolloutFixtures.T0.AddMinutes(2) };

        CanaryWindow merged = first.Merge(second, maxLatencySamples: 3, maxPredictions: 10);

        Assert.Equal(15, merged.Requests);
        Assert.Equal(3, merged.Errors);
        Assert.Equal([1.0, 2.0, 3.0], merged.LatencySeconds.ToArray());
        Assert.Equal([0.1f, 0.2f, 0.3f], merged.Predictions.ToArray());
        Assert.Equal(RolloutFixtures.T0, merged.Start);
        Assert.Equal(RolloutFixtures.T0.AddMinutes(2), merged.End);
    }
}
