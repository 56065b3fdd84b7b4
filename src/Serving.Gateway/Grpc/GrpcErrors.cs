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
        _ => StatusCode.Internal,
    };

    /// <summary>The exception that makes Grpc.AspNetCore answer with the failure's status and message.</summary>
    public static RpcException ToException(in InferenceFailure failure) =>
        new(new Status(StatusOf(failure.Error), failure.Message));
}
