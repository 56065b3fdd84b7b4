namespace Serving.Gateway.Admin;

/// <summary>The body of every admin error: <c>{"error": "..."}</c>.</summary>
/// <param name="Error">What went wrong.</param>
internal sealed record ErrorResponse(string Error);
