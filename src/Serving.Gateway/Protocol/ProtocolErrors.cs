using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serving.Gateway.Protocol;

/// <summary>Writes <c>{"error": "..."}</c> responses: the one place where failures become status codes.</summary>
internal static class ProtocolErrors
{
    /// <summary>The HTTP status of an inference failure.</summary>
    public static int StatusOf(InferenceError error) => error switch
    {
        InferenceError.ModelNotFound or InferenceError.VersionNotFound => StatusCodes.Status404NotFound,
        InferenceError.Unavailable or InferenceError.Overloaded => StatusCodes.Status503ServiceUnavailable,
        InferenceError.InvalidRequest => StatusCodes.Status400BadRequest,
        InferenceError.TooLarge => StatusCodes.Status413PayloadTooLarge,
        InferenceError.Cancelled => StatusCodes.Status499ClientClosedRequest,
        InferenceError.Unsupported => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Writes an inference failure: nothing when the client went away; Retry-After where retrying helps.</summary>
    public static Task WriteAsync(HttpContext context, in InferenceFailure failure)
    {
        if (failure.Error == InferenceError.Cancelled)
        {
            return Task.CompletedTask;
        }
        if (failure.Error == InferenceError.TooLarge)
        {
            // The body may stay unread, so Kestrel closes the connection after this response; say so, or
            // the client reuses the connection for its next request and sees it cut off.
            context.Response.Headers.Connection = "close";
        }
        return WriteAsync(context, StatusOf(failure.Error), failure.Message,
            retryAfter: failure.Error is InferenceError.Unavailable or InferenceError.Overloaded);
    }

    public static Task WriteAsync(HttpContext context, int status, string message, bool retryAfter = false)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }
        response.StatusCode = status;
        if (retryAfter)
        {
            response.Headers.RetryAfter = "1";
        }
        response.ContentType = "application/json";
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse(message), ProtocolJsonContext.Readable.ErrorResponse);
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, 0, body.Length, context.RequestAborted);
    }

    /// <summary>200 with no body on success, otherwise the failure's status and message.</summary>
    public static IResult Result(in InferenceFailure failure) =>
        failure.Failed ? Result(StatusOf(failure.Error), failure.Message) : Results.Ok();

    public static IResult Result(int status, string message) =>
        Results.Json(new ErrorResponse(message), ProtocolJsonContext.Readable.ErrorResponse, statusCode: status);
}
