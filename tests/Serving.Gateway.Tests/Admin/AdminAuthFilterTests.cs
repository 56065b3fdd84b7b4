using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Admin;

namespace Serving.Gateway.Tests.Admin;

public sealed class AdminAuthFilterTests
{
    [Fact]
    public async Task Request_TokenConfiguredAndMissing_Returns401WithChallenge()
    {
        await using var server = await AdminTestServer.StartAsync(adminToken: "s3cret");

        using var response = await server.Client.GetAsync("/admin/models");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("\"error\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer wrong")]
    [InlineData("Bearer s3cret-and-more")]
    [InlineData("Basic s3cret")]
    public async Task Request_WrongCredentials_Returns401(string authorization)
    {
        await using var server = await AdminTestServer.StartAsync(adminToken: "s3cret");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/models");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Request_RightToken_Returns200()
    {
        await using var server = await AdminTestServer.StartAsync(adminToken: "s3cret");
        server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");

        using var response = await server.Client.GetAsync("/admin/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("192.0.2.7")]
    [InlineData("2001:db8::1")]
    public void Authorize_NoTokenAndRemoteCaller_Returns403(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);

        var refusal = AdminAuthFilter.Authorize(context, token: null);

        Assert.Equal(StatusCodes.Status403Forbidden, Assert.IsAssignableFrom<IStatusCodeHttpResult>(refusal).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Authorize_NoTokenAndLoopbackCaller_Allows(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);

        Assert.Null(AdminAuthFilter.Authorize(context, token: null));
    }

    [Fact]
    public void Authorize_NoTokenAndUnknownCaller_Returns403()
    {
        Assert.NotNull(AdminAuthFilter.Authorize(new DefaultHttpContext(), token: null));
    }
}
