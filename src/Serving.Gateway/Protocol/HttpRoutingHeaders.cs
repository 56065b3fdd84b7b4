using Microsoft.AspNetCore.Http;

namespace Serving.Gateway.Protocol;

/// <summary>The routing headers of an HTTP request.</summary>
internal readonly struct HttpRoutingHeaders(IHeaderDictionary headers) : IRoutingHeaders
{
    public string Get(string name) => headers[name].ToString();
}
