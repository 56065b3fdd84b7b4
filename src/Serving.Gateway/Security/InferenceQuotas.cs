using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Serving.Gateway.Grpc;
using Serving.Gateway.Protocol;

namespace Serving.Gateway.Security;

/// <summary>
/// Per-identity quotas on inference (REST <c>.../infer</c> and gRPC <c>ModelInfer</c>), as the global
/// limiter of ASP.NET's rate-limiting middleware: one token bucket per identity, from
/// <see cref="InferenceAccessOptions.Quotas"/> or <see cref="InferenceAccessOptions.DefaultQuota"/>. A
/// request over its identity's quota is refused at once (no queueing) with 429 and <c>Retry-After</c> over
/// REST, <c>RESOURCE_EXHAUSTED</c> over gRPC: the caller's own limit, distinct from overload's 503.
/// </summary>
internal sealed class InferenceQuotas
{
    // Identity names come from configuration keys or JWT claims; neither is this.
    private const string Unlimited = "\0unlimited";

    private readonly InferenceAccessOptions _options;
    private readonly Func<string, RateLimiter> _createLimiter;

    public InferenceQuotas(InferenceAccessOptions options)
    {
        _options = options;
        foreach (var (name, quota) in options.Quotas)
        {
            Validate($"Serving:Inference:Quotas:{name}", quota);
        }
        // Every configured name has its series from the start, at 0 until a refusal: rate() needs it.
        foreach (var name in options.ApiKeys.Keys.Concat(options.Quotas.Keys))
        {
            QuotaMetrics.Rejections.WithLabels(name);
        }
        if (options.DefaultQuota is { } fallback)
        {
            Validate("Serving:Inference:DefaultQuota", fallback);
        }
        _createLimiter = CreateLimiter;
    }

    /// <summary>The rate limiter's partition of a request: its identity's bucket, or none.</summary>
    public RateLimitPartition<string> Partition(HttpContext context)
    {
        if (AccessPaths.Classify(context.Request.Path.Value) != RequestAccess.Inference)
        {
            return RateLimitPartition.GetNoLimiter(Unlimited);
        }
        var identity = context.Features.Get<InferenceIdentity>() ?? InferenceIdentity.Anonymous;
        return QuotaOf(identity.Name) is null
            ? RateLimitPartition.GetNoLimiter(Unlimited)
            : RateLimitPartition.Get(identity.Name, _createLimiter);
    }

    /// <summary>Answers a request over its quota and counts it under its identity's label.</summary>
    public ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var identity = context.Features.Get<InferenceIdentity>() ?? InferenceIdentity.Anonymous;
        identity.QuotaRejections.Inc();
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        var quota = QuotaOf(identity.Name)!;
        var failure = new InferenceFailure(InferenceError.QuotaExceeded,
            $"'{identity.Name}' is over its quota of {quota.RequestsPerSecond.ToString(CultureInfo.InvariantCulture)} requests/s (burst {BurstOf(quota)}); retry after {seconds} s.");
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return new ValueTask(AccessPaths.IsGrpc(context.Request.Path.Value)
            ? GrpcErrors.WriteTrailersOnlyAsync(context, failure)
            : ProtocolErrors.WriteAsync(context, ProtocolErrors.StatusOf(failure.Error), failure.Message));
    }

    private QuotaOptions? QuotaOf(string identity) =>
        _options.Quotas.TryGetValue(identity, out var quota) ? quota : _options.DefaultQuota;

    private TokenBucketRateLimiter CreateLimiter(string identity)
    {
        var quota = QuotaOf(identity)!;
        // A period of a tenth of a second refills smoothly: tokens arrive ten times a second.
        const int PeriodsPerSecond = 10;
        var perPeriod = Math.Max(1, (int)Math.Round(quota.RequestsPerSecond / PeriodsPerSecond));
        var period = TimeSpan.FromSeconds(perPeriod / quota.RequestsPerSecond);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = BurstOf(quota),
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            // The partitioned limiter's own timer replenishes every bucket: no timer per identity.
            AutoReplenishment = false,
        });
    }

    private static int BurstOf(QuotaOptions quota) =>
        quota.Burst > 0 ? quota.Burst : Math.Max(1, (int)Math.Ceiling(quota.RequestsPerSecond));

    private static void Validate(string key, QuotaOptions quota)
    {
        if (!(quota.RequestsPerSecond > 0) || quota.Burst < 0)
        {
            throw new OptionsValidationException(key, typeof(QuotaOptions), [$"{key}: RequestsPerSecond must be positive and Burst not negative."]);
        }
    }
}
