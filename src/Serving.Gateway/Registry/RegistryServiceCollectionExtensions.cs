using System.Globalization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Serving.Core.Registry;
using Serving.Core.Storage;
using Serving.Gateway.Storage;
using StackExchange.Redis;

namespace Serving.Gateway.Registry;

/// <summary>Registers the model registry.</summary>
public static class RegistryServiceCollectionExtensions
{
    /// <summary>
    /// Adds the model registry: the Redis store when <c>Serving:Redis</c> (a StackExchange.Redis
    /// connection string) is set, else the file store under <c>Serving:StateDirectory</c> (default
    /// <c>state</c>); the model repository at <c>Serving:ModelRepository</c> (default <c>models</c>);
    /// the promotion gate tolerance <c>Serving:Registry:GateTolerance</c> (default 0.01); and a hosted
    /// service that seeds unknown models from the repository at start-up. Relative paths are relative
    /// to the working directory. An <see cref="IConnectionMultiplexer"/> already registered is reused.
    /// </summary>
    public static IServiceCollection AddServingRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Serving");
        var options = new RegistryOptions();
        if (section["Registry:GateTolerance"] is { } tolerance)
        {
            if (!double.TryParse(tolerance, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) || !double.IsFinite(parsed) || parsed < 0)
            {
                throw new OptionsValidationException("Serving:Registry:GateTolerance", typeof(RegistryOptions),
                    [$"Serving:Registry:GateTolerance must be a non-negative number, got '{tolerance}'"]);
            }

            options = options with { GateTolerance = parsed };
        }

        var storage = StorageOptions.From(configuration);
        var repositoryRoot = storage.ModelRepository;
        var stateDirectory = storage.StateDirectory;
        var redis = storage.Redis;
        var keyPrefix = NonEmpty(section["Registry:RedisKeyPrefix"]) ?? RedisRegistryStore.DefaultKeyPrefix;

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(sp => new ModelRepository(repositoryRoot, sp.GetRequiredService<ILogger<ModelRepository>>()));
        services.AddSingleton(_ => new StoreSnapshot<ModelState>(
            Path.Combine(stateDirectory, "snapshot", "registry.json"), RegistryJsonContext.Default.SnapshotDocumentModelState));
        if (redis is not null)
        {
            services.AddRedisConnection(redis);
            services.AddSingleton<IRegistryStore>(sp => new RedisRegistryStore(
                sp.GetRequiredService<IConnectionMultiplexer>(), keyPrefix, options,
                sp.GetRequiredService<StoreSnapshot<ModelState>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisRegistryStore>>()));
        }
        else
        {
            services.AddSingleton<IRegistryStore>(sp => new FileRegistryStore(
                stateDirectory, options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<FileRegistryStore>>()));
        }

        services.AddSingleton<RegistrySeeder>();
        services.AddSingleton<LastKnownRegistry>();
        services.AddHostedService<RegistrySeedingService>();
        return services;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
