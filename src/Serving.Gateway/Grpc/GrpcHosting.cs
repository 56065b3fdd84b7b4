using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Serving.Gateway.Protocol;
using Serving.Gateway.Remote;

namespace Serving.Gateway.Grpc;

/// <summary>Adds the gRPC service and its HTTP/2 cleartext endpoint (<see cref="GrpcOptions.Url"/>) beside <c>--urls</c>.</summary>
internal static class GrpcHosting
{
    public static void AddServingGrpc(this WebApplicationBuilder builder, ProtocolOptions protocol, ServingRole role)
    {
        builder.Services.AddGrpc(options =>
        {
            // The same bound as REST bodies; a larger message gets RESOURCE_EXHAUSTED from gRPC itself.
            options.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, protocol.MaxRequestBodyBytes);
            options.EnableDetailedErrors = false;
        });
        builder.Services.AddSingleton<GrpcInferenceService>();
        var url = builder.Configuration[GrpcOptions.Section + ":Url"] ?? (role == ServingRole.Worker ? "" : GrpcOptions.DefaultUrl);
        if (url.Length == 0)
        {
            return;
        }
        var address = BindingAddress.Parse(url);
        if (!string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase) || address.Port <= 0)
        {
            throw new OptionsValidationException(GrpcOptions.Section + ":Url", typeof(GrpcOptions),
                [$"Serving:Grpc:Url must be http://host:port with a fixed port (HTTP/2 cleartext); got '{url}'."]);
        }
        // Kestrel binds --urls (or ASPNETCORE_URLS) and this address together; only this one is HTTP/2
        // without TLS, since a cleartext endpoint cannot offer both protocols by negotiation.
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.UseUrls(string.IsNullOrEmpty(urls) ? $"http://localhost:5000;{url}" : $"{urls};{url}");
        var port = address.Port;
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
        {
            if (listen.IPEndPoint?.Port == port)
            {
                listen.Protocols = HttpProtocols.Http2;
            }
        }));
    }

    public static void MapServingGrpc(this WebApplication app) => app.MapGrpcService<GrpcInferenceService>();
}
