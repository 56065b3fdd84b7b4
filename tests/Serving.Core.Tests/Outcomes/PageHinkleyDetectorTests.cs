using Serving.Core.Outcomes;
using Xunit.Abstractions;

namespace Serving.Core.Tests.Outcomes;

/// <summary>
/// Detection delay and false alarms of the default Page–Hinkley detector on seeded synthetic 0/1 error
/// streams, counted (never timed). The bounds are the ones documented in docs/outcomes.md.
/// </summary>
public class PageHinkleyDetectorTests(ITestOutputHelper output)
{
    private const int Streams = 200;
    private const int ChangePoint = 1000;
    private const int Length = 2000;
    private const double ErrorBefore = 0.10;
    private const double ErrorAfter = 0.25;

    [Fact]
    public void Add_ErrorRateRisesAtKnownPoint_DetectedWithBoundedDelayAndFewFalseAlarms()
    {
        var random = new Random(14);
        int falseAlarms = 0;
        int detected = 0;
        long delaySum = 0;
        int maxDelay = 0;
        for (int s = 0; s < Streams; s++)
        {
            var detector = new PageHinkleyDetector(new PageHinkleyOptions());
            int firstAfter = -1;
            bool alarmedBefore = false;
            for (int t = 0; t < Length; t++)
            {
                double rate = t < ChangePoint ? ErrorBefore : ErrorAfter;
                bool alarm = detector.Add(Bernoulli(random, rate));
                if (alarm && t < ChangePoint)
                {
                    alarmedBefore = true;
                }
                else if (alarm && firstAfter < 0)
                {
                    firstAfter = t;
                }
            }

            falseAlarms += alarmedBefore ? 1 : 0;
            if (firstAfter >= 0)
            {
                detected++;
                int delay = firstAfter - ChangePoint;
                delaySum += delay;
                maxDelay = Math.Max(maxDelay, delay);
            }
        }

        double meanDelay = (double)delaySum / detected;
        output.WriteLine($"streams={Streams} detected={detected} falseAlarmsBeforeChange={falseAlarms} meanDelay={meanDelay:F1} maxDelay={maxDelay}");
        Assert.True(detected >= 198, $"detected {detected} of {Streams}");
        Assert.True(falseAlarms <= 4, $"{falseAlarms} streams alarmed before the change");
        Assert.True(meanDelay <= 250, $"mean delay {meanDelay}");
    }

    [Fact]
    public void Add_ConstantErrorRate_RaisesAlmostNoAlarm()
    {
        var random = new Random(1954);
        int alarmed = 0;
        for (int s = 0; s < Streams; s++)
        {
            var detector = new PageHinkleyDetector(new PageHinkleyOptions());
            for (int t = 0; t < Length; t++)
            {
                detector.Add(Bernoulli(random, ErrorBefore));
            }

            alarmed += detector.Alarms > 0 ? 1 : 0;
        }

        output.WriteLine($"streams={Streams} length={Length} streamsWithAlarm={alarmed}");
        Assert.True(alarmed <= 4, $"{alarmed} of {Streams} unchanged streams alarmed");
    }

    [Fact]
    public void Add_ErrorRateFalls_NeverAlarms()
    {
        var random = new Random(7);
        var detector = new PageHinkleyDetector(new PageHinkleyOptions());
        for (int t = 0; t < Length; t++)
        {
            detector.Add(Bernoulli(random, t < ChangePoint ? ErrorAfter : 0.02));
        }

        Assert.Equal(0, detector.Alarms);
    }

    [Fact]
    public void Add_HandComputedStream_StatisticFollowsDefinition()
    {
        var detector = new PageHinkleyDetector(new PageHinkleyOptions { Delta = 0.1, Threshold = 0.9, MinimumObservations = 1 });

        // x = 0, 0, 1, 1: means 0, 0, 1/3, 1/2; m = -0.1, -0.2, 0.3667, 0.7667; min = -0.2.
        Assert.False(detector.Add(0));
        Assert.False(detector.Add(0));
        Assert.False(detector.Add(1));
        Assert.Equal(1.0 - 1.0 / 3 - 0.1, detector.Statistic, 1e-12);
        Assert.True(detector.Add(1)); // 0.7667 + 0.2 = 0.9667 > 0.9
        Assert.Equal(0, detector.Count);
        Assert.Equal(1, detector.Alarms);
    }

    private static double Bernoulli(Random random, double p) => random.NextDouble() < p ? 1.0 : 0.0;
}
