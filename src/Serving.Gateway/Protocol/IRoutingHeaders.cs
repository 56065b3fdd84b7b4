namespace Serving.Gateway.Protocol;

/// <summary>
/// The request headers (HTTP) or metadata (gRPC) a rollout routes on: its routing key and preview
/// header. Implemented by structs so that reading them through the generic core allocates nothing.
/// </summary>
internal interface IRoutingHeaders
{
    /// <summary>The value of header <paramref name="name"/> (case-insensitive), or empty when absent.</summary>
    string Get(string name);
}
