using Microsoft.Extensions.Options;

namespace Serving.Gateway.OnCall;

/// <summary>
/// Serves the on-call console at <c>/console/</c>: static files only, open to anyone who reaches the
/// gateway. The data it shows comes from the admin API, called by the browser with the operator's
/// token, so the page itself reveals nothing and changes nothing.
/// </summary>
internal static class ConsoleEndpoints
{
    // Everything comes from this origin: no CDN, no inline script or style, no framing.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapOnCallConsole(this IEndpointRouteBuilder app)
    {
        // Routing matches /console and /console/ alike; relative links in the page resolve against
        // /console/, so the bare path redirects there.
        app.MapGet("/console", static (HttpContext context) => context.Request.Path.Value!.EndsWith('/')
            ? Serve(context, "index.html")
            : Results.Redirect(context.Request.PathBase + "/console/"));
        app.MapGet("/console/config.json", static (IOptions<ConsoleOptions> options) =>
            Results.Json(new ConsoleConfig(options.Value.RunbookBaseUrl), ConsoleJsonContext.Default.ConsoleConfig));
        app.MapGet("/console/{**path}", static (string? path, HttpContext context) => Serve(context, string.IsNullOrEmpty(path) ? "index.html" : path));
        return app;
    }

    private static IResult Serve(HttpContext context, string path)
    {
        if (!ConsoleAssets.Files.TryGetValue(path, out var asset))
        {
            return Results.NotFound();
        }
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        return Results.Bytes(asset.Content, asset.ContentType);
    }
}
