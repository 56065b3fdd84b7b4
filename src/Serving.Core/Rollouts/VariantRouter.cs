namespace Serving.Core.Rollouts;

/// <summary>
/// Picks the version that answers a request, and whether a shadow copy goes out, from the model's
/// <see cref="RolloutPolicy"/>. Hot path: no allocation, no locks, no LINQ.
/// </summary>
/// <remarks>
/// <para>
/// Canary: with a routing key the variant is a pure function of (model, key, weight), see
/// <see cref="CohortHash"/>: the same key gets the same variant on every replica and after restarts,
/// and raising the weight only moves keys from stable to canary. Without a key each request draws a
/// bucket at random.
/// </para>
/// <para>
/// Blue-green: the active version, unless the caller asked for the preview (the policy's
/// <see cref="BlueGreenSettings.PreviewHeader"/> set to <c>true</c>) and there is one.
/// </para>
/// <para>
/// Shadow: an independent random draw per request (keyed or not: a copy is invisible to the client, so
/// it need not be sticky, and an independent draw keeps the shadowed set from lining up with the canary
/// cohort). A request whose primary already is the shadow version is not copied.
/// </para>
/// </remarks>
internal sealed class VariantRouter
{
    private readonly Random _random;

    /// <summary>Creates a router drawing from <paramref name="random"/>.</summary>
    /// <param name="random">
    /// The source of the per-request draws. <see cref="Random.Shared"/> (the default router) is thread-safe;
    /// a seeded <see cref="Random"/> is deterministic but not thread-safe, for tests and single-threaded use.
    /// </param>
    public VariantRouter(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        _random = random;
    }

    /// <summary>The router for the request path, drawing from <see cref="Random.Shared"/>.</summary>
    public static VariantRouter Shared { get; } = new(Random.Shared);

    /// <summary>Routes a request whose routing key is UTF-16 text (a header value); empty for no key.</summary>
    public RouteDecision Route(RolloutPolicy policy, ReadOnlySpan<char> routingKey, bool previewRequested)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Route(policy, policy.Mode == RolloutMode.Canary && !routingKey.IsEmpty ? CohortHash.Bucket(policy.CohortSeed, routingKey) : -1, previewRequested);
    }

    /// <summary>Routes a request whose routing key is UTF-8 bytes; empty for no key. Same cohorts as the UTF-16 overload.</summary>
    public RouteDecision Route(RolloutPolicy policy, ReadOnlySpan<byte> routingKeyUtf8, bool previewRequested)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return Route(policy, policy.Mode == RolloutMode.Canary && !routingKeyUtf8.IsEmpty ? CohortHash.Bucket(policy.CohortSeed, routingKeyUtf8) : -1, previewRequested);
    }

    /// <summary>
    /// Whether a preview header value asks for the preview: <c>true</c>, case-insensitive, surrounding
    /// whitespace ignored. No allocation.
    /// </summary>
    public static bool IsPreviewRequested(ReadOnlySpan<char> headerValue) =>
        headerValue.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Routes by the mode; <paramref name="bucket"/> is the request's cohort bucket (canary only), -1 for no routing key.</summary>
    private RouteDecision Route(RolloutPolicy policy, int bucket, bool previewRequested)
    {
        RouteDecision primary = policy.Mode switch
        {
            RolloutMode.Canary => Canary(policy, bucket),
            RolloutMode.BlueGreen => BlueGreen(policy.BlueGreen, previewRequested),
            _ => default,
        };

        return WithShadow(policy.Shadow, primary);
    }

    private RouteDecision Canary(RolloutPolicy policy, int keyBucket)
    {
        CanarySettings? canary = policy.Canary;
        if (canary is null)
        {
            return default;
        }

        int buckets = canary.CanaryBuckets;
        if (canary.CanaryVersion is { } canaryVersion && buckets > 0)
        {
            int bucket = keyBucket >= 0 ? keyBucket : _random.Next(CohortHash.BucketCount);
            if (bucket < buckets)
            {
                return new RouteDecision(RouteVariant.Canary, canaryVersion, 0);
            }
        }

        return new RouteDecision(RouteVariant.Stable, canary.StableVersion, 0);
    }

    private static RouteDecision BlueGreen(BlueGreenSettings? blueGreen, bool previewRequested)
    {
        if (blueGreen is null)
        {
            return default;
        }

        return previewRequested && blueGreen.PreviewVersion is { } preview
            ? new RouteDecision(RouteVariant.Preview, preview, 0)
            : new RouteDecision(RouteVariant.Active, blueGreen.ActiveVersion, 0);
    }

    private RouteDecision WithShadow(ShadowSettings? shadow, RouteDecision primary)
    {
        if (shadow is null || shadow.ShadowBuckets == 0 || shadow.Version == primary.Version)
        {
            return primary;
        }

        bool copy = shadow.ShadowBuckets >= CohortHash.BucketCount || _random.Next(CohortHash.BucketCount) < shadow.ShadowBuckets;
        return copy ? primary with { ShadowVersion = shadow.Version } : primary;
    }
}
