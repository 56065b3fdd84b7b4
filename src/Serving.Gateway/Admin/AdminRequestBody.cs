using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Serving.Gateway.Admin;

/// <summary>Reads admin JSON bodies with a size limit, turning every malformed body into a 4xx.</summary>
internal static class AdminRequestBody
{
    /// <summary>The largest admin request body accepted: 1 MiB.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Reads and deserializes the body; on failure returns the error response to send.</summary>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        var (body, error) = await ReadBytesAsync(request).ConfigureAwait(false);
        if (error is not null)
        {
            return (null, error);
        }

        if (body.Length == 0)
        {
            return (null, AdminResults.Error(StatusCodes.Status400BadRequest, "a JSON request body is required"));
        }

        return Deserialize(body.Span, typeInfo);
    }

    /// <summary>Reads the raw body, at most <see cref="MaxBytes"/>; on failure (too large) returns the error response to send.</summary>
    public static async Task<(ReadOnlyMemory<byte> Body, IResult? Error)> ReadBytesAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBytes)
        {
            return (default, TooLarge());
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        var stream = request.Body;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.GetMemory(16384), request.HttpContext.RequestAborted).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > MaxBytes)
            {
                return (default, TooLarge());
            }
        }

        return (buffer.WrittenMemory, null);
    }

    /// <summary>Deserializes a JSON body read by <see cref="ReadBytesAsync"/>; on failure returns the 400 response to send.</summary>
    public static (T? Value, IResult? Error) Deserialize<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> typeInfo)
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize(body, typeInfo);
            return value is null
                ? (null, AdminResults.Error(StatusCodes.Status400BadRequest, "the request body must be a JSON object"))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, AdminResults.Error(StatusCodes.Status400BadRequest, $"invalid JSON body: {ex.Message}"));
        }
    }

    private static IResult TooLarge() =>
        AdminResults.Error(StatusCodes.Status413PayloadTooLarge, $"request body exceeds {MaxBytes} bytes");
}
