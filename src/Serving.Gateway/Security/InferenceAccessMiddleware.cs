using Serving.Gateway.Grpc;
using Serving.Gateway.Protocol;

namespace Serving.Gateway.Security;

/// <summary>
/// Refuses inference-protocol requests without a valid credential (401 with <c>WWW-Authenticate</c> over
/// REST, <c>UNAUTHENTICATED</c> over gRPC) and records the caller's <see cref="InferenceIdentity"/> as a
/// request feature for the quota. In the pipeline only when credentials are configured.
/// </summary>
internal sealed class InferenceAccessMiddleware
{
    private readonly RequestDelegate _next;
    private readonly InferenceAuthenticator _authenticator;

    public InferenceAccessMiddleware(RequestDelegate next, InferenceAuthenticator authenticator)
    {
        _next = next;
        _authenticator = authenticator;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (AccessPaths.Classify(context.Request.Path.Value) == RequestAccess.Open)
        {
            return _next(context);
        }
        var authenticating = _authenticator.AuthenticateAsync(context);
        return authenticating.IsCompletedSuccessfully
            ? Continue(context, authenticating.Result)
            : ContinueAsync(context, authenticating);
    }

    private async Task ContinueAsync(HttpContext context, ValueTask<InferenceIdentity?> authenticating) =>
        await Continue(context, await authenticating.ConfigureAwait(false)).ConfigureAwait(false);

    private Task Continue(HttpContext context, InferenceIdentity? identity)
    {
        if (identity is null)
        {
            return RefuseAsync(context);
        }
        context.Features.Set(identity);
        return _next(context);
    }

    private static Task RefuseAsync(HttpContext context)
    {
        var presented = context.Request.Headers.ContainsKey(InferenceAuthenticator.ApiKeyHeader)
            || context.Request.Headers.Authorization.Count > 0;
        var failure = new InferenceFailure(InferenceError.Unauthenticated, presented
            ? "The credential presented is not valid: send a configured API key (x-api-key or Authorization: Bearer) or a valid bearer token."
            : "Inference needs a credential: an API key (x-api-key or Authorization: Bearer) or a bearer token.");
        if (AccessPaths.IsGrpc(context.Request.Path.Value))
        {
            return GrpcErrors.WriteTrailersOnlyAsync(context, failure);
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ProtocolErrors.WriteAsync(context, failure);
    }
}
