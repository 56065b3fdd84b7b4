using Microsoft.Extensions.Logging;
using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>
/// Seeds the registry from the model repository: every model directory the registry does not know yet
/// is registered with its versions (highest Production, the rest Staging, actor <c>seed</c>; see
/// <see cref="RegistryRules.Seed"/>). Models already registered are left alone, so new versions
/// dropped into the repository of a known model are registered explicitly, not silently promoted.
/// </summary>
internal sealed partial class RegistrySeeder
{
    private readonly IRegistryStore _store;
    private readonly ModelRepository _repository;
    private readonly ILogger<RegistrySeeder> _logger;

    /// <summary>Creates a seeder.</summary>
    public RegistrySeeder(IRegistryStore store, ModelRepository repository, ILogger<RegistrySeeder> logger)
    {
        _store = store;
        _repository = repository;
        _logger = logger;
    }

    /// <summary>Seeds the unknown models; returns how many were seeded by this call.</summary>
    public async Task<int> SeedAsync(CancellationToken cancellationToken)
    {
        var seeded = 0;
        foreach (var model in await _repository.ScanAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await _store.GetAsync(model.Name, cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            var result = await _store.SeedAsync(model.Name, model.Versions, cancellationToken).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                seeded++;
                LogSeeded(model.Name, model.Versions.Length, result.Value.Production?.Version ?? 0);
            }
            else if (result.Error.Code != StoreErrorCode.AlreadyExists)
            {
                // Another replica seeding at the same moment is expected; anything else is worth a warning.
                LogSeedFailed(model.Name, result.Error.Message);
            }
        }

        return seeded;
    }

    /// <summary>
    /// What seeding an empty registry would produce, without storing it: the state a gateway serves when
    /// it starts with its store unreachable and no snapshot of the last known registry.
    /// </summary>
    public async Task<IReadOnlyList<ModelState>> PlanAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var states = new List<ModelState>();
        foreach (var model in await _repository.ScanAsync(cancellationToken).ConfigureAwait(false))
        {
            var result = RegistryRules.Seed(null, model.Name, model.Versions, now);
            if (result.IsSuccess)
            {
                states.Add(result.Value.State);
            }
        }

        return states;
    }

    [LoggerMessage(EventId = 1120, Level = LogLevel.Information, Message = "Seeded registry model {Model} from the repository: {Count} version(s), v{Production} in Production")]
    private partial void LogSeeded(string model, int count, int production);

    [LoggerMessage(EventId = 1121, Level = LogLevel.Warning, Message = "Could not seed registry model {Model}: {Error}")]
    private partial void LogSeedFailed(string model, string error);
}
