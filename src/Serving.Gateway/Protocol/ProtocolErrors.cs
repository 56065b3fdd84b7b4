using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serving.Gateway.Protocol;

/// <summary>Writes <c>{"error": "..."}</c> responses: the one place where failures become status codes.</summary>
internal static class ProtocolErrors
{
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

    public static IResult Result(int status, string message) =>
        Results.Json(new ErrorResponse(message), ProtocolJsonContext.Readable.ErrorResponse, statusCode: status);
}
