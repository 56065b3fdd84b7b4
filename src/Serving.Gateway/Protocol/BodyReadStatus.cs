namespace Serving.Gateway.Protocol;

/// <summary>How reading an inference request's body ended (<see cref="RequestBodyReader"/>).</summary>
internal enum BodyReadStatus
{
    /// <summary>The whole body is buffered and its bytes are reserved in the budget.</summary>
    Complete,
    /// <summary>The client went away.</summary>
    Cancelled,
    /// <summary>Larger than <c>Serving:MaxRequestBodyBytes</c>: 413.</summary>
    TooLarge,
    /// <summary>The buffer budget has no room for it: 503 with Retry-After, connection closed.</summary>
    OverBudget,
    /// <summary>Arrived slower than <c>Serving:Limits:MinBodyBytesPerSecond</c> allows: 408, connection closed.</summary>
    TooSlow,
    /// <summary>Kestrel could not read the body (chunk framing, a size that overflows): 400, connection closed.</summary>
    BadFraming,
}
