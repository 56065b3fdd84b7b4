namespace Serving.Gateway.Protocol;

/// <summary>An <see cref="InferenceError"/> and the message that tells the client what went wrong; <c>default</c> is success.</summary>
internal readonly record struct InferenceFailure(InferenceError Error, string Message)
{
    /// <summary>Whether this is a failure rather than success.</summary>
    public bool Failed => Error != InferenceError.None;
}
