using System.Net;
using System.Security.Cryptography.X509Certificates;
using Serving.Gateway.Security;

namespace Serving.Gateway.Admin;

/// <summary>
/// Guards admin endpoints. With a token configured (<c>Serving:AdminToken</c>, or the file named by
/// <c>Serving:AdminTokenFile</c>), callers must send <c>Authorization: Bearer &lt;token&gt;</c> (compared in
/// constant time; 401 otherwise). Without one the admin API refuses everyone (403), unless
/// <c>Serving:Admin:AllowUnauthenticatedLoopback</c> is true, for development: then it answers callers from
/// the process's own loopback addresses 127.0.0.1 and ::1 only (not the rest of 127.0.0.0/8, which
/// service-mesh sidecars use to relay remote callers). With a client certificate authority
/// (<c>Serving:Tls:ClientCertificateAuthority</c>), every caller must first present a client certificate that
/// chains to it; one whose common name is a named identity authenticates as that identity.
/// </summary>
internal sealed partial class AdminAuthFilter : IEndpointFilter
{
    /// <summary>The configuration key of the admin bearer token.</summary>
    public const string TokenKey = "Serving:AdminToken";

    /// <summary>The configuration key of a file holding the admin bearer token (it wins over <see cref="TokenKey"/>).</summary>
    public const string TokenFileKey = "Serving:AdminTokenFile";

    /// <summary>The configuration key that lets loopback callers in without a token, for development.</summary>
    public const string AllowLoopbackKey = "Serving:Admin:AllowUnauthenticatedLoopback";

    /// <summary>The configuration section of named identities: <c>{name}:Role</c> and <c>{name}:Token</c> or <c>{name}:TokenFile</c>.</summary>
    public const string IdentitiesKey = "Serving:Admin:Identities";

    private const string Scheme = "Bearer ";

    private readonly IConfiguration _configuration;

    /// <summary>Creates the filter; the token is read per request, so it can be rotated by configuration reload or by replacing the file.</summary>
    public AdminAuthFilter(IConfiguration configuration) => _configuration = configuration;

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return Authorize(context.HttpContext, _configuration) ?? await next(context).ConfigureAwait(false);
    }

    /// <summary>Returns the refusal to send, or <see langword="null"/> when the caller may proceed.</summary>
    internal static IResult? Authorize(HttpContext context, IConfiguration configuration)
    {
        var identities = configuration.GetSection(IdentitiesKey).GetChildren();
        if (context.RequestServices?.GetService<ClientCertificateAuthority>() is { } authority)
        {
            if (RefuseClientCertificate(context, authority, out var commonName) is { } refused)
            {
                return refused;
            }
            // A certificate is a credential of its own for the identity it names: no token needed.
            foreach (var identity in identities)
            {
                if (string.Equals(identity.Key, commonName, StringComparison.Ordinal))
                {
                    return AuthorizeRole(context, identity);
                }
            }
        }
        if (identities.Any())
        {
            return AuthorizeIdentity(context, identities);
        }
        if (configuration[TokenFileKey] is { Length: > 0 } path)
        {
            return SecretFile.Read(path) is { } fromFile
                ? Authorize(context, fromFile, allowLoopback: false)
                : AdminResults.Error(StatusCodes.Status503ServiceUnavailable, "the admin token file (Serving:AdminTokenFile) is missing or empty");
        }
        return Authorize(context, configuration[TokenKey], configuration.GetValue<bool>(AllowLoopbackKey));
    }

    /// <summary>Returns the refusal to send, or <see langword="null"/> when the caller may proceed.</summary>
    internal static IResult? Authorize(HttpContext context, string? token, bool allowLoopback)
    {
        if (string.IsNullOrEmpty(token))
        {
            if (!allowLoopback)
            {
                return AdminResults.Error(StatusCodes.Status403Forbidden,
                    "the admin API needs a token: set Serving:AdminToken or Serving:AdminTokenFile");
            }
            return IsOwnLoopback(context.Connection.RemoteIpAddress)
                ? null
                : AdminResults.Error(StatusCodes.Status403Forbidden,
                    "without a token the admin API answers only 127.0.0.1 and ::1 (Serving:Admin:AllowUnauthenticatedLoopback)");
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || !SecretComparison.Equal(header.AsSpan(Scheme.Length).Trim(), token))
        {
            return Unauthenticated(context);
        }

        return null;
    }

    /// <summary>
    /// Finds the named identity whose token the caller presents (every token is compared, in constant
    /// time), checks its role against the endpoint's, and records it as the request's actor.
    /// </summary>
    private static IResult? AuthorizeIdentity(HttpContext context, IEnumerable<IConfigurationSection> identities)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return Unauthenticated(context);
        }
        var presented = header.AsSpan(Scheme.Length).Trim();
        IConfigurationSection? matched = null;
        foreach (var identity in identities)
        {
            var token = identity["TokenFile"] is { Length: > 0 } file ? SecretFile.Read(file) : identity["Token"];
            if (!string.IsNullOrEmpty(token) && SecretComparison.Equal(presented, token))
            {
                matched ??= identity;
            }
        }
        return matched is null ? Unauthenticated(context) : AuthorizeRole(context, matched);
    }

    /// <summary>Checks the role of the authenticated <paramref name="matched"/> against the endpoint's, and records it as the request's actor.</summary>
    private static IResult? AuthorizeRole(HttpContext context, IConfigurationSection matched)
    {
        // An unknown role grants the least.
        var role = Enum.TryParse<AdminRole>(matched["Role"], ignoreCase: true, out var parsed) ? parsed : AdminRole.Viewer;
        var method = context.Request.Method;
        var required = context.GetEndpoint()?.Metadata.GetMetadata<AdminRequires>()?.Role
            ?? (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? AdminRole.Viewer : AdminRole.Operator);
        if (role < required)
        {
            return AdminResults.Error(StatusCodes.Status403Forbidden,
                $"identity '{matched.Key}' has the role {Name(role)}; this needs {Name(required)}");
        }
        AdminIdentity.Set(context, matched.Key);
        return null;
    }

    /// <summary>Refuses a request without a client certificate that chains to <paramref name="authority"/>; gives the certificate's common name.</summary>
    private static IResult? RefuseClientCertificate(HttpContext context, ClientCertificateAuthority authority, out string? commonName)
    {
        commonName = null;
        if (context.Connection.ClientCertificate is not { } certificate)
        {
            return AdminResults.Error(StatusCodes.Status403Forbidden,
                "the admin API needs a client certificate issued by Serving:Tls:ClientCertificateAuthority: call it over https with one");
        }
        if (authority.Problem(certificate) is { } problem)
        {
            return AdminResults.Error(StatusCodes.Status403Forbidden,
                $"the client certificate '{certificate.Subject}' is not accepted for the admin API: {problem}");
        }
        commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return null;
    }

    private static string Name(AdminRole role) => role.ToString().ToLowerInvariant();

    private static IResult Unauthenticated(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return AdminResults.Error(StatusCodes.Status401Unauthorized, "a valid admin bearer token is required");
    }

    /// <summary>Logs, once at start-up, which mode the admin API runs in.</summary>
    internal static void LogMode(ILogger logger, IConfiguration configuration)
    {
        if (configuration.GetSection(IdentitiesKey).GetChildren().Any()
            || !string.IsNullOrEmpty(configuration[TokenFileKey]) || !string.IsNullOrEmpty(configuration[TokenKey]))
        {
            LogBearerToken(logger);
        }
        else if (configuration.GetValue<bool>(AllowLoopbackKey))
        {
            LogLoopbackOnly(logger);
        }
        else
        {
            LogClosed(logger);
        }
    }

    /// <summary>127.0.0.1 or ::1 (IPv4-mapped too); other addresses of 127.0.0.0/8 are not this process's own.</summary>
    private static bool IsOwnLoopback(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return address.Equals(IPAddress.Loopback) || address.Equals(IPAddress.IPv6Loopback);
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Admin API: bearer token authentication (Serving:AdminToken or Serving:AdminTokenFile is set)")]
    private static partial void LogBearerToken(ILogger logger);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Admin API: no token configured; answering 127.0.0.1 and ::1 without authentication (Serving:Admin:AllowUnauthenticatedLoopback, for development only)")]
    private static partial void LogLoopbackOnly(ILogger logger);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Admin API: no token configured (Serving:AdminToken or Serving:AdminTokenFile); refusing every admin request")]
    private static partial void LogClosed(ILogger logger);
}
