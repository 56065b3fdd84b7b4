namespace Serving.Core.Storage;

/// <summary>An expected failure of a registry or rollout operation, with a message fit for the operator.</summary>
/// <param name="Code">The kind of failure.</param>
/// <param name="Message">What went wrong, with the values that matter; several problems are joined by "; ".</param>
internal sealed record StoreError(StoreErrorCode Code, string Message);
