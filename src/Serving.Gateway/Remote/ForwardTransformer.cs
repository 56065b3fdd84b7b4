using Yarp.ReverseProxy.Forwarder;

namespace Serving.Gateway.Remote;

/// <summary>
/// Copies the request and response as YARP's default transformer does, but sends the request to
/// <see cref="Path"/> (the version the gateway's router chose, so workers never route again) and marks
/// the response with the variant the gateway chose.
/// </summary>
internal sealed class ForwardTransformer(string path, string? variant) : HttpTransformer
{
    /// <summary>The path on the worker, e.g. <c>/v2/models/credit-risk/versions/2/infer</c>.</summary>
    public string Path { get; } = path;

    /// <summary>The <c>x-model-variant</c> the client sees and the worker logs, or null to pass the worker's through.</summary>
    public string? Variant { get; } = variant;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(Path), httpContext.Request.QueryString);
        // Only this gateway's choice reaches the worker, never a client's header of the same name.
        proxyRequest.Headers.Remove(ForwardedVariant.Header);
        if (Variant is not null)
        {
            proxyRequest.Headers.TryAddWithoutValidation(ForwardedVariant.Header, Variant);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (Variant is not null && proxyResponse is not null)
        {
            httpContext.Response.Headers["x-model-variant"] = Variant;
        }
        return copy;
    }
}
