using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Serving.Gateway.Security;

/// <summary>
/// Finds the <see cref="InferenceIdentity"/> of a request: an API key in <c>x-api-key</c> or
/// <c>Authorization: Bearer</c>, else (when configured) a JWT in <c>Authorization: Bearer</c> validated by
/// ASP.NET's JWT bearer handler. Null when the request has no valid credential.
/// </summary>
internal sealed class InferenceAuthenticator
{
    public const string ApiKeyHeader = "x-api-key";

    private const string Bearer = "Bearer ";

    private readonly ApiKeyTable _keys;
    private readonly InferenceAccessOptions _options;

    public InferenceAuthenticator(ApiKeyTable keys, InferenceAccessOptions options)
    {
        _keys = keys;
        _options = options;
    }

    public ValueTask<InferenceIdentity?> AuthenticateAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers.TryGetValue(ApiKeyHeader, out var apiKey))
        {
            return ValueTask.FromResult(_keys.Match(apiKey.ToString().AsSpan().Trim()));
        }
        var authorization = headers.Authorization.ToString();
        if (!authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult<InferenceIdentity?>(null);
        }
        if (_keys.Match(authorization.AsSpan(Bearer.Length).Trim()) is { } identity)
        {
            return ValueTask.FromResult<InferenceIdentity?>(identity);
        }
        return _options.Jwt.Enabled ? AuthenticateJwtAsync(context) : ValueTask.FromResult<InferenceIdentity?>(null);
    }

    private async ValueTask<InferenceIdentity?> AuthenticateJwtAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme).ConfigureAwait(false);
        if (!result.Succeeded || result.Principal.FindFirst(_options.Jwt.NameClaim)?.Value is not { Length: > 0 } name)
        {
            return null;
        }
        // Only names in configuration become label values; any other subject counts as "other".
        var label = _options.Quotas.ContainsKey(name) ? name : InferenceIdentity.OtherLabel;
        return new InferenceIdentity(name, label);
    }
}
