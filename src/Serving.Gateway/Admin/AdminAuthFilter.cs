using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Serving.Gateway.Admin;

/// <summary>
/// Guards admin endpoints. With <c>Serving:AdminToken</c> set, callers must send
/// <c>Authorization: Bearer &lt;token&gt;</c> (compared in constant time; 401 otherwise). With no token
/// configured, only loopback callers are answered (403 otherwise), so a bare <c>dotnet run</c> is
/// administrable from the same machine and from nowhere else.
/// </summary>
internal sealed partial class AdminAuthFilter : IEndpointFilter
{
    /// <summary>The configuration key of the admin bearer token.</summary>
    public const string TokenKey = "Serving:AdminToken";

    private readonly IConfiguration _configuration;

    /// <summary>Creates the filter; the token is read per request, so it can be rotated by configuration reload.</summary>
    public AdminAuthFilter(IConfiguration configuration) => _configuration = configuration;

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return Authorize(context.HttpContext, _configuration[TokenKey]) ?? await next(context).ConfigureAwait(false);
    }

    /// <summary>Returns the refusal to send, or <see langword="null"/> when the caller may proceed.</summary>
    internal static IResult? Authorize(HttpContext context, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return IsLoopback(context.Connection.RemoteIpAddress)
                ? null
                : AdminResults.Error(StatusCodes.Status403Forbidden,
                    "the admin API answers only loopback callers when Serving:AdminToken is not configured");
        }

        const string Scheme = "Bearer ";
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || !TokensEqual(header.AsSpan(Scheme.Length).Trim(), token))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return AdminResults.Error(StatusCodes.Status401Unauthorized, "a valid admin bearer token is required");
        }

        return null;
    }

    /// <summary>Logs, once at start-up, which mode the admin API runs in.</summary>
    internal static void LogMode(ILogger logger, IConfiguration configuration)
    {
        if (string.IsNullOrEmpty(configuration[TokenKey]))
        {
            LogLoopbackOnly(logger);
        }
        else
        {
            LogBearerToken(logger);
        }
    }

    private static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    // Hashing both sides first makes the comparison constant-time in the token's length too.
    private static bool TokensEqual(ReadOnlySpan<char> presented, string expected)
    {
        Span<byte> a = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> b = stackalloc byte[SHA256.HashSizeInBytes];
        var presentedBytes = Encoding.UTF8.GetBytes(presented.ToArray());
        SHA256.HashData(presentedBytes, a);
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Admin API: bearer token authentication (Serving:AdminToken is set)")]
    private static partial void LogBearerToken(ILogger logger);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Admin API: no Serving:AdminToken configured; answering loopback callers only")]
    private static partial void LogLoopbackOnly(ILogger logger);
}
