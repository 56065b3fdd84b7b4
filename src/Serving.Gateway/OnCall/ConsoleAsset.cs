namespace Serving.Gateway.OnCall;

/// <summary>One static file of the console, read once from the assembly's embedded resources.</summary>
/// <param name="Content">The bytes served.</param>
/// <param name="ContentType">The <c>Content-Type</c> header.</param>
/// <param name="ETag">A strong validator derived from the content.</param>
internal sealed record ConsoleAsset(byte[] Content, string ContentType, string ETag);
