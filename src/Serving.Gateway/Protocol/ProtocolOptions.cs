namespace Serving.Gateway.Protocol;

/// <summary>
/// The protocol endpoints' settings, bound from the <c>Serving</c> section: <c>Serving:MaxRequestBodyBytes</c>,
/// <c>Serving:StrictReadiness</c> and <c>Serving:Limits:*</c>.
/// </summary>
public sealed class ProtocolOptions : ICheckedOptions
{
    /// <summary>The configuration section the settings are read from.</summary>
    public const string Section = "Serving";

    /// <summary>Largest accepted request body in bytes; larger ones get 413. Default 32 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// Like Triton's strict readiness: when true, <c>/v2/health/ready</c> needs every model to have a
    /// version that answers. Default false: a model whose default version failed to load is reported
    /// in the readiness body and in <c>serving_model_version_state</c> but does not take the process out
    /// of its load balancer, where every other model still serves.
    /// </summary>
    public bool StrictReadiness { get; set; }

    /// <summary>Memory and rate limits on request bodies.</summary>
    public RequestLimits Limits { get; set; } = new();

    /// <inheritdoc/>
    public IEnumerable<string?> Problems()
    {
        const string Prefix = Section + ":Limits:";
        yield return SettingRules.AtLeast(Section + ":" + nameof(MaxRequestBodyBytes), MaxRequestBodyBytes, 1);
        var limits = Limits;
        yield return SettingRules.AtLeast(Prefix + nameof(RequestLimits.RequestBufferBytes), limits.RequestBufferBytes, 0);
        if (limits.RequestBufferBytes > 0 && limits.RequestBufferBytes < MaxRequestBodyBytes)
        {
            yield return $"{Prefix}{nameof(RequestLimits.RequestBufferBytes)} must be 0 (derived) or at least {Section}:{nameof(MaxRequestBodyBytes)} ({MaxRequestBodyBytes}), was {limits.RequestBufferBytes}: a body of the largest size would never fit.";
        }
        yield return SettingRules.AtLeast(Prefix + nameof(RequestLimits.MinBodyBytesPerSecond), limits.MinBodyBytesPerSecond, 1);
        yield return SettingRules.NotNegative(Prefix + nameof(RequestLimits.BodyGracePeriod), limits.BodyGracePeriod);
        yield return SettingRules.AtLeast(Prefix + nameof(RequestLimits.DrainBytes), limits.DrainBytes, 0);
        yield return SettingRules.NotNegative(Prefix + nameof(RequestLimits.AdmissionWait), limits.AdmissionWait);
        yield return SettingRules.AtLeast(Prefix + nameof(RequestLimits.MaxWaitingRequests), limits.MaxWaitingRequests, 0);
        yield return SettingRules.AtLeast(Prefix + nameof(RequestLimits.PooledBufferBytes), limits.PooledBufferBytes, 0);
        yield return SettingRules.NotNegative(Prefix + nameof(RequestLimits.TrimCheckInterval), limits.TrimCheckInterval);
    }
}
