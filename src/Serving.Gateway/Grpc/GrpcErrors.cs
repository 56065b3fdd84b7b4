using Grpc.Core;
using Serving.Gateway.Protocol;

namespace Serving.Gateway.Grpc;

/// <summary>The one place where an <see cref="InferenceError"/> becomes a gRPC status.</summary>
internal static class GrpcErrors
{
    /// <summary>The gRPC status code of an inference failure.</summary>
    public static StatusCode StatusOf(InferenceError error) => error switch
    {
        InferenceError.ModelNotFound or InferenceError.VersionNotFound => StatusCode.NotFound,
        // Both are worth retrying later, as gRPC clients do for UNAVAILABLE (REST answers 503 with Retry-After).
        InferenceError.Unavailable or InferenceError.Overloaded or InferenceError.LoadFailed or InferenceError.OverBudget => StatusCode.Unavailable,
        InferenceError.TooSlow => StatusCode.DeadlineExceeded,
        InferenceError.InvalidRequest => StatusCode.InvalidArgument,
        // What gRPC itself answers for a message over the size limit.
        InferenceError.TooLarge => StatusCode.ResourceExhausted,
        InferenceError.Cancelled => StatusCode.Cancelled,
        InferenceError.Unsupported => StatusCode.Unimplemented,
        InferenceError.Unauthenticated => StatusCode.Unauthenticated,
        // The caller's own quota; the response's Retry-After header says when to try again.
        InferenceError.QuotaExceeded => StatusCode.ResourceExhausted,
        _ => StatusCode.Internal,
    };

    /// <summary>
    /// Answers a call refused before it reached the service (no credential, over quota) with a gRPC
    /// "trailers-only" response: HTTP 200 whose headers carry <c>grpc-status</c> and <c>grpc-message</c>.
    /// </summary>
    public static Task WriteTrailersOnlyAsync(HttpContext context, in InferenceFailure failure)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        var headers = response.Headers;
        headers["grpc-status"] = ((int)StatusOf(failure.Error)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["grpc-message"] = Uri.EscapeDataString(failure.Message);
        return Task.CompletedTask;
    }

    /// <summary>The exception that makes Grpc.AspNetCore answer with the failure's status and message.</summary>
    public static RpcException ToException(in InferenceFailure failure) =>
        new(new Status(StatusOf(failure.Error), failure.Message));
}
