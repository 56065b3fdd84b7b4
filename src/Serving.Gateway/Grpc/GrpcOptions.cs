namespace Serving.Gateway.Grpc;

/// <summary>The gRPC endpoint, bound from <c>Serving:Grpc</c>.</summary>
public sealed class GrpcOptions
{
    /// <summary>The configuration section name.</summary>
    public const string Section = "Serving:Grpc";

    /// <summary>Triton's gRPC address, the default of the <c>all</c> and <c>gateway</c> roles.</summary>
    public const string DefaultUrl = "http://0.0.0.0:8001";

    /// <summary>
    /// Where the gRPC service listens, HTTP/2 cleartext (<c>http://host:port</c>). Default
    /// <see cref="DefaultUrl"/>, except for workers (the gateway forwards to them over HTTP); empty turns the
    /// endpoint off. The service also answers on any TLS endpoint by ALPN.
    /// </summary>
    public string? Url { get; set; }
}
