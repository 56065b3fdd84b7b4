using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Serving.Gateway.Admin;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Admin;

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
    [InlineData("127.0.0.6")]
    [InlineData("127.1.2.3")]
    public void Authorize_NoTokenLoopbackAllowedAndOtherCaller_Returns403(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);

        var refusal = AdminAuthFilter.Authorize(context, token: null, allowLoopback: true);

        Assert.Equal(StatusCodes.Status403Forbidden, Assert.IsAssignableFrom<IStatusCodeHttpResult>(refusal).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Authorize_NoTokenLoopbackAllowedAndOwnLoopbackCaller_Allows(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);

        Assert.Null(AdminAuthFilter.Authorize(context, token: null, allowLoopback: true));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void Authorize_NoTokenAndLoopbackNotAllowed_Returns403(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);

        var refusal = AdminAuthFilter.Authorize(context, token: null, allowLoopback: false);

        Assert.Equal(StatusCodes.Status403Forbidden, Assert.IsAssignableFrom<IStatusCodeHttpResult>(refusal).StatusCode);
    }

    [Fact]
    public void Authorize_NoTokenAndUnknownCaller_Returns403()
    {
        Assert.NotNull(AdminAuthFilter.Authorize(new DefaultHttpContext(), token: null, allowLoopback: true));
    }

    [Fact]
    public async Task Request_NoTokenFrom127006_Returns403()
    {
        // What a service-mesh sidecar relaying a remote caller looks like: a loopback address that is not 127.0.0.1.
        await using var server = await AdminTestServer.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = static async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.6"), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = server.Client.BaseAddress };

        using var sidecar = await client.GetAsync("/admin/models");
        using var local = await server.Client.GetAsync("/admin/models");

        Assert.Equal(HttpStatusCode.Forbidden, sidecar.StatusCode);
        Assert.Contains("127.0.0.1", await sidecar.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
    }

    [Fact]
    public async Task Authorize_TokenFileReplaced_NewTokenAcceptedOldRefused()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("serving-token-").FullName, "admin-token");
        File.WriteAllText(path, "first-token\n");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [AdminAuthFilter.TokenFileKey] = path, [AdminAuthFilter.TokenKey] = "ignored" })
            .Build();
        try
        {
            Assert.Null(AdminAuthFilter.Authorize(WithBearer("first-token"), configuration));
            Assert.NotNull(AdminAuthFilter.Authorize(WithBearer("ignored"), configuration));

            // Same length, and written within the file system's timestamp tick: noticed by its contents.
            File.WriteAllText(path, "other-token\n");

            await Polling.UntilAsync(() => AdminAuthFilter.Authorize(WithBearer("other-token"), configuration) is null, "the new token is accepted");
            var refusal = AdminAuthFilter.Authorize(WithBearer("first-token"), configuration);
            Assert.Equal(StatusCodes.Status401Unauthorized, Assert.IsAssignableFrom<IStatusCodeHttpResult>(refusal).StatusCode);

            File.Delete(path);
            await Polling.UntilAsync(() => AdminAuthFilter.Authorize(WithBearer("other-token"), configuration) is not null, "a deleted token file refuses");
            refusal = AdminAuthFilter.Authorize(WithBearer("other-token"), configuration);
            Assert.Equal(StatusCodes.Status503ServiceUnavailable, Assert.IsAssignableFrom<IStatusCodeHttpResult>(refusal).StatusCode);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static DefaultHttpContext WithBearer(string token)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer " + token;
        return context;
    }
}
