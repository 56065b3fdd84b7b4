using Serving.Core.Registry;

namespace Serving.Gateway.Registry;

/// <summary>Seeds the registry from the model repository when the host starts (see <see cref="RegistrySeeder"/>).</summary>
internal sealed class RegistrySeedingService : IHostedService
{
    private readonly RegistrySeeder _seeder;

    /// <summary>Creates the service.</summary>
    public RegistrySeedingService(RegistrySeeder seeder) => _seeder = seeder;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => _seeder.SeedAsync(cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
