using Microsoft.Extensions.Logging;

namespace Serving.Core.Registry;

internal sealed partial class FileRegistryStore
{
    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "File registry store at {Directory}")]
    private partial void LogOpened(string directory);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Debug, Message = "Registry model {Model} committed at revision {Revision}")]
    private partial void LogCommitted(string model, long revision);
}
