using System.Net;

namespace Serving.Cli;

/// <summary>What the admin API answered.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The response body (JSON for every admin route).</param>
internal sealed record AdminResponse(HttpStatusCode Status, string Body)
{
    /// <summary>Whether the status is 2xx.</summary>
    public bool IsSuccess => (int)Status is >= 200 and < 300;
}
