using Microsoft.Extensions.Logging;

namespace Serving.Core.Registry;

internal sealed partial class ModelRepository
{
    [LoggerMessage(EventId = 1150, Level = LogLevel.Warning, Message = "Model repository {Root} does not exist; nothing to seed")]
    private partial void LogRepositoryMissing(string root);

    [LoggerMessage(EventId = 1151, Level = LogLevel.Warning, Message = "metadata.json of {Model} v{Version} is not valid JSON and is ignored: {Error}")]
    private partial void LogMetadataInvalid(string model, int version, string error);
}
