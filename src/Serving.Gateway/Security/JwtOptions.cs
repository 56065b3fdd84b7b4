namespace Serving.Gateway.Security;

/// <summary>
/// JWT bearer tokens for inference (<c>Serving:Inference:Jwt</c>), validated with the configured key only:
/// the gateway fetches no OpenID metadata or key sets.
/// </summary>
public sealed class JwtOptions
{
    /// <summary>The required <c>iss</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The required <c>aud</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>A shared secret (UTF-8, at least 32 bytes) for HS256/384/512 tokens.</summary>
    public string? SigningKey { get; set; }

    /// <summary>A PEM public key (RSA or EC) for RS*/PS*/ES* tokens.</summary>
    public string? PublicKeyFile { get; set; }

    /// <summary>The claim that names the caller (its identity for quotas and logs). Default <c>sub</c>.</summary>
    public string NameClaim { get; set; } = "sub";

    /// <summary>Tolerated clock difference on <c>exp</c> and <c>nbf</c>. Default 30 s.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether JWTs are accepted (a signing key is configured).</summary>
    public bool Enabled => !string.IsNullOrEmpty(SigningKey) || !string.IsNullOrEmpty(PublicKeyFile);
}
