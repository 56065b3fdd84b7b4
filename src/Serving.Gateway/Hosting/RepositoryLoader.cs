using Microsoft.Extensions.Options;
using Serving.Core.Repository;
using Serving.Gateway.Inference;

namespace Serving.Gateway.Hosting;

/// <summary>
/// At start-up, loads every version found in the model repository, in the background so that the
/// server answers health checks (not ready) while models load.
/// </summary>
internal sealed partial class RepositoryLoader(ModelHost host, IOptions<ServingOptions> options, ILogger<RepositoryLoader> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() =>
    {
        var root = Path.GetFullPath(options.Value.ModelRepository);
        var found = ModelRepositoryScanner.Scan(root);
        if (found.Count == 0)
        {
            LogEmptyRepository(logger, root);
        }
        else
        {
            LogScanned(logger, found.Count, root);
        }
        return host.ReconcileAsync(found, stoppingToken);
    }, stoppingToken);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "The model repository {Root} has no versions (expected <model>/<version>/model.onnx); nothing will be served")]
    private static partial void LogEmptyRepository(ILogger logger, string root);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Found {Count} versions in the model repository {Root}")]
    private static partial void LogScanned(ILogger logger, int count, string root);
}
