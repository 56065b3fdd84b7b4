using Microsoft.Extensions.Logging;

namespace Serving.Core.Registry;

internal abstract partial class RegistryStoreBase
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Registry write to {Model} lost a compare-and-swap (attempt {Attempt}); retrying")]
    private partial void LogCommitConflict(string model, int attempt);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Registry write to {Model} gave up after {Attempts} compare-and-swap conflicts")]
    private partial void LogConflictRetriesExhausted(string model, int attempts);
}
