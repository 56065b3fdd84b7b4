using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Serving.Gateway.Remote;

namespace Serving.Gateway.Protocol;

/// <summary>Writes <c>{"error": "..."}</c> responses: the one place where failures become status codes.</summary>
internal static class ProtocolErrors
{
    /// <summary>The HTTP status of an inference failure.</summary>
    public static int StatusOf(InferenceError error) => error switch
    {
        InferenceError.ModelNotFound or InferenceError.VersionNotFound => StatusCodes.Status404NotFound,
        InferenceError.Unavailable or InferenceError.Overloaded or InferenceError.LoadFailed or InferenceError.OverBudget => StatusCodes.Status503ServiceUnavailable,
        InferenceError.TooSlow => StatusCodes.Status408RequestTimeout,
        InferenceError.InvalidRequest => StatusCodes.Status400BadRequest,
        InferenceError.TooLarge => StatusCodes.Status413PayloadTooLarge,
        InferenceError.Cancelled => StatusCodes.Status499ClientClosedRequest,
        InferenceError.Unsupported => StatusCodes.Status501NotImplemented,
        InferenceError.Unauthenticated => StatusCodes.Status401Unauthorized,
        InferenceError.QuotaExceeded => StatusCodes.Status429TooManyRequests,
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
            retryAfter: failure.Error is InferenceError.Unavailable or InferenceError.Overloaded or InferenceError.OverBudget);
    }

    /// <summary>Writes the error a forwarding owes the client; nothing when a worker answered or the client went away.</summary>
    public static Task WriteAsync(HttpContext context, in ForwardResult forwarded) =>
        forwarded.Error is { } error ? WriteAsync(context, forwarded.Status, error, forwarded.RetryAfter) : Task.CompletedTask;

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

    /// <summary>405 for a method an inference route does not take, with <c>Allow</c>.</summary>
    public static Task MethodNotAllowedAsync(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return WriteAsync(context, StatusCodes.Status405MethodNotAllowed,
            $"Method {Shorten(context.Request.Method)} is not allowed on {Shorten(context.Request.Path.Value)}; allowed: {allow}.");
    }

    /// <summary>
    /// Gives an error that left without a body (routing's 404 for an unrouted path and 405 for a wrong
    /// method, with its <c>Allow</c>) the protocol's <c>{"error": "..."}</c> body.
    /// </summary>
    public static Task DescribeStatusAsync(StatusCodeContext statusContext)
    {
        var context = statusContext.HttpContext;
        var request = context.Request;
        var status = context.Response.StatusCode;
        var message = status switch
        {
            StatusCodes.Status404NotFound when context.GetEndpoint() is null =>
                $"No route for {Shorten(request.Method)} {Shorten(request.Path.Value)}; the inference protocol's routes are under /v2 (GET /v2 describes the server).",
            StatusCodes.Status405MethodNotAllowed =>
                $"Method {Shorten(request.Method)} is not allowed on {Shorten(request.Path.Value)}; allowed: {context.Response.Headers.Allow}.",
            _ => $"{ReasonPhrases.GetReasonPhrase(status)}: {Shorten(request.Method)} {Shorten(request.Path.Value)}.",
        };
        return WriteAsync(context, status, message);
    }

    /// <summary>A client's text quoted in an error, cut to a length fit for a message.</summary>
    private static string Shorten(string? text)
    {
        const int Max = 200;
        text ??= "";
        return text.Length <= Max ? text : string.Concat(text.AsSpan(0, Max), "...");
    }

    public static IResult Result(int status, string message) =>
        Results.Json(new ErrorResponse(message), ProtocolJsonContext.Readable.ErrorResponse, statusCode: status);
}
