namespace Serving.Gateway.Protocol;

/// <summary>
/// Why an inference request was not answered. The inference core returns these as values; each transport
/// maps them to its own status in one place (<see cref="ProtocolErrors.StatusOf"/> for HTTP,
/// <c>GrpcErrors</c> for gRPC), as YARP's <c>ForwarderError</c> does for the forwarder.
/// </summary>
internal enum InferenceError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>No model of that name is served (here or by a worker).</summary>
    ModelNotFound,

    /// <summary>The model has no such version or alias.</summary>
    VersionNotFound,

    /// <summary>The version exists but cannot answer now (loading, failed, draining, or none ready): retry later.</summary>
    Unavailable,

    /// <summary>The version failed to load: retrying cannot help until it is loaded again (no Retry-After).</summary>
    LoadFailed,

    /// <summary>The request buffer budget has no room for the body: retry later; the connection closes unread.</summary>
    OverBudget,

    /// <summary>The body arrived slower than the minimum body rate; the connection closes.</summary>
    TooSlow,

    /// <summary>The version's queue is full: retry later.</summary>
    Overloaded,

    /// <summary>The request is malformed or does not match the model's signature.</summary>
    InvalidRequest,

    /// <summary>The request body exceeds the configured limit.</summary>
    TooLarge,

    /// <summary>The client went away before the answer was ready; nothing is sent.</summary>
    Cancelled,

    /// <summary>The model failed to run a well-formed request: a fault of the server.</summary>
    Failed,

    /// <summary>The request needs something this transport does not offer (a worker-hosted model over gRPC).</summary>
    Unsupported,

    /// <summary>Credentials are configured and the request has no valid one.</summary>
    Unauthenticated,

    /// <summary>The caller is over its own quota: retry after the time given (not overload, which is <see cref="Overloaded"/>).</summary>
    QuotaExceeded,
}
