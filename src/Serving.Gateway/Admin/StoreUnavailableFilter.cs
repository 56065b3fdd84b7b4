using StackExchange.Redis;

namespace Serving.Gateway.Admin;

/// <summary>
/// Answers 503 <c>{"error": "..."}</c> when the registry or rollout store cannot be reached or read
/// (Redis down or timing out, the state directory failing, a stored document that does not parse), so
/// an admin call that cannot be stored fails at once with a reason instead of a 500 with an empty body.
/// Nothing was written: the caller may retry once the store is back.
/// </summary>
internal sealed partial class StoreUnavailableFilter(ILogger<StoreUnavailableFilter> logger) : IEndpointFilter
{
    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or IOException or InvalidDataException or UnauthorizedAccessException
            && !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            LogStoreUnavailable(context.HttpContext.Request.Method, context.HttpContext.Request.Path.Value ?? "", ex.Message);
            var reason = ex is RedisConnectionException connection ? $"Redis is unreachable ({connection.FailureType})" : ex.Message;
            return AdminResults.Error(StatusCodes.Status503ServiceUnavailable, "the store is unavailable, nothing was changed; retry later: " + reason);
        }
    }

    [LoggerMessage(EventId = 1480, Level = LogLevel.Warning, Message = "Admin {Method} {Path}: the store is unavailable: {Reason}")]
    private partial void LogStoreUnavailable(string method, string path, string reason);
}
