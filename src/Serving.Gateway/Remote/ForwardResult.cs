namespace Serving.Gateway.Remote;

/// <summary>
/// How forwarding a request to a worker ended: the worker answered (<see cref="ServerError"/> when with a 5xx),
/// the client went away (nothing to answer), or the gateway owes the client an error: <see cref="Status"/> and
/// <see cref="Error"/>, a value the caller's transport writes (<c>ProtocolErrors</c> for HTTP).
/// </summary>
/// <param name="ServerError">Whether the client got (or is owed) a server error, for rollout analysis.</param>
/// <param name="Status">The status of the error the gateway owes the client; 0 when it owes none.</param>
/// <param name="Error">The message of that error; null when the gateway owes none.</param>
/// <param name="RetryAfter">Whether retrying helps (no worker could be reached).</param>
internal readonly record struct ForwardResult(bool ServerError, int Status = 0, string? Error = null, bool RetryAfter = false)
{
    /// <summary>The worker's answer, with its status, went to the client.</summary>
    public static ForwardResult Answered(int status) => new(status >= StatusCodes.Status500InternalServerError);

    /// <summary>The gateway owes the client this error.</summary>
    public static ForwardResult Fail(int status, string error, bool retryAfter = false) =>
        new(status >= StatusCodes.Status500InternalServerError, status, error, retryAfter);
}
