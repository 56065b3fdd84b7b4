namespace Serving.Gateway.Security;

/// <summary>
/// Who may call the inference API and how often, bound from <c>Serving:Inference</c> (docs/security.md,
/// "Inference"). With nothing configured the inference API takes no credentials and has no quotas, and
/// neither check is in the request pipeline.
/// </summary>
public sealed class InferenceAccessOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Serving:Inference";

    /// <summary>Named API keys: <c>ApiKeys:{name}:Key</c> or <c>ApiKeys:{name}:KeyFile</c>. The name is the caller's identity.</summary>
    public Dictionary<string, ApiKeyOptions> ApiKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>JWT bearer tokens, validated locally (no metadata fetch).</summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>The quota of every identity without one of its own in <see cref="Quotas"/>; none by default.</summary>
    public QuotaOptions? DefaultQuota { get; set; }

    /// <summary>Quotas by identity name (an API key's name, a JWT subject, or <c>anonymous</c> when no credentials are configured).</summary>
    public Dictionary<string, QuotaOptions> Quotas { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether callers must present a credential.</summary>
    public bool RequiresCredentials => ApiKeys.Count > 0 || Jwt.Enabled;

    /// <summary>Whether any identity has a quota.</summary>
    public bool HasQuotas => DefaultQuota is not null || Quotas.Count > 0;
}
