using System.Diagnostics;

namespace Serving.Gateway.Tracing;

/// <summary>
/// The span of one forwarded request (<see cref="ServingActivities.ForwardName"/>): which worker each
/// attempt went to, and on dispose the status the client got. Default (no span) when not traced.
/// </summary>
internal readonly struct ForwardTrace(Activity? span, HttpContext? context) : IDisposable
{
    /// <summary>Notes the worker tried by attempt <paramref name="attempt"/> (0 first, then retries).</summary>
    public void Attempt(string worker, int attempt)
    {
        if (span is null)
        {
            return;
        }
        span.SetTag("serving.worker", worker);
        span.SetTag("serving.forward.attempts", attempt + 1);
    }

    public void Dispose()
    {
        if (span is null || context is null)
        {
            return;
        }
        var status = context.Response.StatusCode;
        span.SetTag("http.response.status_code", status);
        if (status >= StatusCodes.Status500InternalServerError)
        {
            span.SetStatus(ActivityStatusCode.Error);
        }
        span.Stop();
    }
}
