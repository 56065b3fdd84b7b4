using Serving.Core.Registry;

namespace Serving.Gateway.Registry;

/// <summary>
/// Seeds the registry from the model repository when the host starts (see <see cref="RegistrySeeder"/>),
/// so that the admin API and the first reconcile see the repository's models. A store that is down at
/// start-up does not stop the host: the failure is logged and seeding is retried by
/// <see cref="RegistryLifecycleService"/> until it succeeds.
/// </summary>
internal sealed partial class RegistrySeedingService(RegistrySeeder seeder, ILogger<RegistrySeedingService> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await seeder.SeedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            LogSeedFailed(logger, ex.Message);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Seeding the registry at start-up failed; it will be retried in the background: {Reason}")]
    private static partial void LogSeedFailed(ILogger logger, string reason);
}
