using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace Serving.Core.Rollouts;

/// <summary>
/// Sticky cohorts: maps a routing key to one of <see cref="BucketCount"/> buckets by a fixed hash, so
/// the same key lands on the same variant on every replica and after every restart.
/// </summary>
/// <remarks>
/// <para>
/// bucket = XxHash64(UTF-8(key), seed) mod 10,000, where seed = (long)XxHash64(UTF-8(model), seed 0).
/// XxHash64 is the one in System.IO.Hashing (a published, versioned algorithm). Seeding with the model
/// name gives each model its own cohorts, so one user is not the canary of every rollout at once.
/// </para>
/// <para>
/// A percentage p (0–100, resolution 0.01) covers buckets [0, round(p·100)). A key is in the canary when
/// its bucket is below that bound, so raising the weight only moves keys from stable to canary
/// (cohorts are monotone) and lowering it only moves them back. Changing this hash or its seeding would
/// reshuffle every cohort: the pinned values in CohortHashTests guard it.
/// </para>
/// </remarks>
internal static class CohortHash
{
    /// <summary>The number of buckets: weights have a resolution of 100 / 10,000 = 0.01 percentage points.</summary>
    public const int BucketCount = 10_000;

    /// <summary>The weight resolution in percentage points.</summary>
    public const double WeightResolution = 100.0 / BucketCount;

    // Keys up to this many bytes are encoded on the stack; longer ones rent from the shared pool.
    private const int StackLimit = 512;

    /// <summary>The per-model hash seed. Computed once per policy, not per request.</summary>
    public static long SeedFor(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return unchecked((long)XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(model)));
    }

    /// <summary>The bucket of a UTF-8 routing key. No allocation.</summary>
    public static int Bucket(long seed, ReadOnlySpan<byte> keyUtf8) =>
        (int)(XxHash64.HashToUInt64(keyUtf8, seed) % BucketCount);

    /// <summary>The bucket of a routing key given as UTF-16; same result as its UTF-8 form. No allocation.</summary>
    public static int Bucket(long seed, ReadOnlySpan<char> key)
    {
        int max = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = null;
        Span<byte> buffer = max <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            int length = Encoding.UTF8.GetBytes(key, buffer);
            return Bucket(seed, buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The number of buckets a percentage covers: round(percentage · 100), clamped to [0, 10,000]; NaN
    /// covers none. Validation rejects percentages off the 0.01 grid, so the rounding only absorbs
    /// binary floating-point error (2.5 · 100 is exactly 250, 0.07 · 100 is 7.000000000000001).
    /// </summary>
    public static int BucketsFor(double percentage)
    {
        if (double.IsNaN(percentage))
        {
            return 0;
        }

        return (int)Math.Clamp(Math.Round(percentage * (BucketCount / 100.0)), 0, BucketCount);
    }

    /// <summary>Whether <paramref name="percentage"/> lies on the 0.01 grid that buckets can express.</summary>
    public static bool IsOnGrid(double percentage) =>
        double.IsFinite(percentage)
        && Math.Abs((percentage * (BucketCount / 100.0)) - Math.Round(percentage * (BucketCount / 100.0))) < 1e-6;
}
