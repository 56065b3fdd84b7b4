using Serving.Core.Drift;
using Serving.Gateway.Drift;

namespace Serving.Functional.Tests.Drift;

/// <summary>Profiles, recorded windows and exchange options for the cross-replica drift tests.</summary>
internal static class DriftExchangeTestData
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan WindowLength = TimeSpan.FromMinutes(1);

    public static readonly DriftThresholds Thresholds = new() { MinimumSampleSize = 50 };

    /// <summary>Two normal features and one output, 1 000 seeded reference rows; the model name is unique per call.</summary>
    public static ReferenceProfile Profile(string? model = null, double scale = 1.0)
    {
        const int rows = 1_000;
        var random = new Random(7);
        var features = new float[rows * 2];
        var outputs = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            features[2 * i] = (float)(Normal(random) * scale);
            features[(2 * i) + 1] = (float)((Normal(random) * 3 * scale) + 10);
            outputs[i] = (float)random.NextDouble();
        }

        return ReferenceProfile.Build(model ?? "m" + Guid.NewGuid().ToString("N")[..8], "3", ["age", "income"], ["output:score"], features, outputs, rows);
    }

    /// <summary>Window options aligned to one-minute periods.</summary>
    public static DriftWindowOptions Aligned(int sampleCapacity = 2_000) =>
        new() { MaxDuration = WindowLength, AlignToDuration = true, SampleCapacity = sampleCapacity };

    /// <summary>Records <paramref name="rows"/> seeded rows shifted by <paramref name="shift"/>, one in 20 with a missing income.</summary>
    public static void Record(DriftRecorder recorder, int rows, double shift, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < rows; i++)
        {
            float income = i % 20 == 0 ? float.NaN : (float)((Normal(random) * 3) + 10 + shift);
            recorder.Record([(float)(Normal(random) + shift), income], (float)random.NextDouble());
        }
    }

    /// <summary>Exchange options under a key prefix of their own.</summary>
    public static DriftOptions Options(int mergedSampleCapacity = 10_000) => new()
    {
        RedisKeyPrefix = "test:drift:" + Guid.NewGuid().ToString("N"),
        MergeGrace = TimeSpan.FromSeconds(2),
        MergeTimeout = TimeSpan.FromSeconds(1),
        MergedSampleCapacity = mergedSampleCapacity,
    };

    public static VersionDriftMonitor Monitor(ReferenceProfile profile, DriftRecorder recorder, TimeProvider time) =>
        new(profile, recorder, new DriftEvaluator(profile, time), Thresholds, 0, 0);

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
