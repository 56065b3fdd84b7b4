using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Serving.Gateway.Security;

/// <summary>
/// Credentials and quotas for the inference API (<see cref="InferenceAccessOptions"/>). What is not
/// configured is not in the pipeline at all: without keys or a JWT key no authentication middleware,
/// without quotas no rate limiter.
/// </summary>
internal static class InferenceAccessHosting
{
    public static void AddInferenceAccess(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(InferenceAccessOptions.Section).Get<InferenceAccessOptions>() ?? new InferenceAccessOptions();
        var services = builder.Services;
        services.AddSingleton(options);
        if (options.RequiresCredentials)
        {
            services.AddSingleton(new ApiKeyTable(options));
            services.AddSingleton<InferenceAuthenticator>();
        }
        if (options.Jwt.Enabled)
        {
            var parameters = ValidationParameters(options.Jwt);
            services.AddAuthentication().AddJwtBearer(jwt =>
            {
                // Claims keep their JWT names ("sub"), and no metadata is fetched: the key is configured.
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = parameters;
            });
        }
        if (options.HasQuotas)
        {
            var quotas = new InferenceQuotas(options);
            services.AddRateLimiter(limiter =>
            {
                limiter.GlobalLimiter = System.Threading.RateLimiting.PartitionedRateLimiter.Create<HttpContext, string>(quotas.Partition);
                limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                limiter.OnRejected = quotas.OnRejectedAsync;
            });
        }
    }

    /// <summary>Authentication, then quotas, ahead of the inference endpoints; each only when configured.</summary>
    public static void UseInferenceAccess(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<InferenceAccessOptions>();
        if (options.RequiresCredentials)
        {
            app.UseMiddleware<InferenceAccessMiddleware>();
        }
        if (options.HasQuotas)
        {
            app.UseRateLimiter();
        }
    }

    private static TokenValidationParameters ValidationParameters(JwtOptions jwt) => new()
    {
        ValidateIssuer = !string.IsNullOrEmpty(jwt.Issuer),
        ValidIssuer = jwt.Issuer,
        ValidateAudience = !string.IsNullOrEmpty(jwt.Audience),
        ValidAudience = jwt.Audience,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        ClockSkew = jwt.ClockSkew,
        ValidateIssuerSigningKey = true,
        IssuerSigningKey = SigningKey(jwt),
        NameClaimType = jwt.NameClaim,
    };

    private static SecurityKey SigningKey(JwtOptions jwt)
    {
        if (!string.IsNullOrEmpty(jwt.SigningKey))
        {
            var bytes = Encoding.UTF8.GetBytes(jwt.SigningKey);
            if (bytes.Length < 32)
            {
                throw new OptionsValidationException("Serving:Inference:Jwt:SigningKey", typeof(JwtOptions), ["Serving:Inference:Jwt:SigningKey must be at least 32 bytes (HS256 needs a 256-bit key)."]);
            }
            return new SymmetricSecurityKey(bytes);
        }
        var pem = File.ReadAllText(jwt.PublicKeyFile!);
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException)
        {
            // Not an RSA key: an EC one, or nothing usable (then ECDsa says so).
        }
        catch (CryptographicException)
        {
        }
        var ec = ECDsa.Create();
        ec.ImportFromPem(pem);
        return new ECDsaSecurityKey(ec);
    }
}
