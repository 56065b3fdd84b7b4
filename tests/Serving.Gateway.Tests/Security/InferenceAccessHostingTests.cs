using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serving.Gateway.Hosting;
using Serving.Gateway.Security;
using Serving.Testing.Common;

namespace Serving.Gateway.Tests.Security;

/// <summary>Without keys, JWTs or quotas configured, neither authentication nor the rate limiter is set up.</summary>
public sealed class InferenceAccessHostingTests
{
    [Fact]
    public async Task AddServing_NothingConfigured_NoAuthenticatorNoRateLimiter()
    {
        await using var app = Build([]);

        Assert.Null(app.Services.GetService<InferenceAuthenticator>());
        Assert.Null(app.Services.GetRequiredService<IOptions<RateLimiterOptions>>().Value.GlobalLimiter);
    }

    [Fact]
    public async Task AddServing_KeyAndQuota_AuthenticatorAndGlobalLimiter()
    {
        await using var app = Build(["--Serving:Inference:ApiKeys:app:Key=k", "--Serving:Inference:DefaultQuota:RequestsPerSecond=5"]);

        Assert.NotNull(app.Services.GetService<InferenceAuthenticator>());
        Assert.NotNull(app.Services.GetRequiredService<IOptions<RateLimiterOptions>>().Value.GlobalLimiter);
    }

    private static WebApplication Build(string[] settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--Serving:Grpc:Url=", .. settings],
            ContentRootPath = RepositoryPaths.Root,
        });
        builder.AddServing();
        return builder.Build();
    }
}
