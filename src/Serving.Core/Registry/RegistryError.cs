namespace Serving.Core.Registry;

/// <summary>An expected failure of a registry operation, with a message fit for the operator.</summary>
/// <param name="Code">The kind of failure.</param>
/// <param name="Message">What went wrong, with the numbers that matter.</param>
internal sealed record RegistryError(RegistryErrorCode Code, string Message);
