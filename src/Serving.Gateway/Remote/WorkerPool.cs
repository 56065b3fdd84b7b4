using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using Serving.Core.Registry;
using Serving.Gateway.Hosting;

namespace Serving.Gateway.Remote;

/// <summary>
/// The workers of <c>Serving:Workers</c> grouped into one cluster per model (workers that list no models
/// belong to every cluster, and to the wildcard cluster used for models nobody lists), and the registry's
/// default version of each model, so that a gateway that loads nothing still names the version it routes to.
/// </summary>
internal sealed class WorkerPool
{
    private readonly FrozenDictionary<string, WorkerCluster> _byModel;
    private readonly FrozenDictionary<string, WorkerCluster>.AlternateLookup<ReadOnlySpan<char>> _byModelSpan;
    private readonly WorkerCluster? _wildcard;
    private readonly TimeProvider _time;
    private readonly long _reactivationTicks;
    private volatile FrozenDictionary<string, int> _defaults = FrozenDictionary<string, int>.Empty;
    private volatile FrozenDictionary<string, int[]> _loadable = FrozenDictionary<string, int[]>.Empty;

    public WorkerPool(IOptions<ServingOptions> options, IConfiguration configuration, TimeProvider time)
    {
        if (options.Value.Role == ServingRole.Gateway && options.Value.Workers.Count > 0 && string.IsNullOrWhiteSpace(configuration[ServingOptions.Section + ":Redis"]))
        {
            // Each worker would keep a registry of its own: a promotion through the gateway would name a
            // version the workers have never heard of, and every default request would fail.
            throw new OptionsValidationException(nameof(ServingOptions.Workers), typeof(ServingOptions),
                ["Serving:Role=gateway with Serving:Workers needs a registry shared with the workers: set Serving:Redis (the same on the gateway and every worker), e.g. --Serving:Redis=localhost:6379."]);
        }
        _time = time;
        var forwarding = options.Value.Forwarding;
        _reactivationTicks = (long)(forwarding.ReactivationPeriod.TotalSeconds * time.TimestampFrequency);
        var byAddress = new Dictionary<string, WorkerDestination>(StringComparer.OrdinalIgnoreCase);
        var byModel = new Dictionary<string, List<WorkerDestination>>(StringComparer.Ordinal);
        var wildcard = new List<WorkerDestination>();
        foreach (var worker in options.Value.Workers)
        {
            if (!Uri.TryCreate(worker.Address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new OptionsValidationException(nameof(ServingOptions.Workers), typeof(WorkerOptions),
                    [$"Serving:Workers: '{worker.Address}' is not an absolute http(s) address."]);
            }
            if (!byAddress.TryGetValue(worker.Address.TrimEnd('/'), out var destination))
            {
                destination = new WorkerDestination(worker.Address);
                byAddress[destination.Address] = destination;
            }
            if (worker.Models.Count == 0)
            {
                wildcard.Add(destination);
                continue;
            }
            foreach (var model in worker.Models)
            {
                if (!byModel.TryGetValue(model, out var list))
                {
                    byModel[model] = list = [];
                }
                list.Add(destination);
            }
        }
        var clusters = new Dictionary<string, WorkerCluster>(StringComparer.Ordinal);
        foreach (var (model, list) in byModel)
        {
            foreach (var destination in wildcard)
            {
                if (!list.Contains(destination))
                {
                    list.Add(destination);
                }
            }
            clusters[model] = new WorkerCluster(model, [.. list]);
        }
        _byModel = clusters.ToFrozenDictionary(StringComparer.Ordinal);
        _byModelSpan = _byModel.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcard = wildcard.Count > 0 ? new WorkerCluster("", [.. wildcard]) : null;
        Clusters = _wildcard is null ? [.. _byModel.Values] : [.. _byModel.Values, _wildcard];
        Destinations = [.. byAddress.Values];
    }

    /// <summary>True when any worker is configured.</summary>
    public bool HasWorkers => Destinations.Length > 0;

    /// <summary>Every configured worker, once each.</summary>
    public WorkerDestination[] Destinations { get; }

    /// <summary>The per-model clusters, and the wildcard one when some worker hosts every model.</summary>
    public WorkerCluster[] Clusters { get; }

    /// <summary>The current timestamp of the pool's clock, in <see cref="TimeProvider.TimestampFrequency"/> ticks.</summary>
    public long NowTicks => _time.GetTimestamp();

    /// <summary>The timestamp until which a worker that just failed at the transport level takes no traffic.</summary>
    public long ReactivationDeadline => _time.GetTimestamp() + _reactivationTicks;

    /// <summary>The cluster of the workers hosting <paramref name="model"/>: its own, or the wildcard one.</summary>
    public bool TryGetCluster(ReadOnlySpan<char> model, out WorkerCluster cluster)
    {
        if (_byModelSpan.TryGetValue(model, out cluster!))
        {
            return true;
        }
        cluster = _wildcard!;
        return _wildcard is not null;
    }

    /// <summary>The registry's default (Production) version of <paramref name="model"/>, if this process knows it.</summary>
    public bool TryGetDefault(string model, out int version) => _defaults.TryGetValue(model, out version);

    /// <summary>
    /// Whether the workers load <paramref name="version"/> of <paramref name="model"/>: it is in Staging or
    /// Production in the registry they share with this process. True for a model this process has not read
    /// from the registry (the worker's answer decides).
    /// </summary>
    public bool IsLoadedByWorkers(string model, int version) =>
        !_loadable.TryGetValue(model, out var versions) || Array.IndexOf(versions, version) >= 0;

    /// <summary>Replaces the registry view of the versions workers load (called by the registry lifecycle on every sync).</summary>
    public void UpdateLoadable(IReadOnlyList<ModelState> states)
    {
        var loadable = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var state in states)
        {
            var versions = new List<int>();
            foreach (var version in state.Versions)
            {
                if (version.Stage is ModelStage.Staging or ModelStage.Production)
                {
                    versions.Add(version.Version);
                }
            }
            loadable[state.Name] = [.. versions];
        }
        _loadable = loadable.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Replaces the registry view of default versions (called by the registry lifecycle on every sync).</summary>
    public void UpdateDefaults(IReadOnlyDictionary<string, int> defaults) =>
        _defaults = defaults.ToFrozenDictionary(StringComparer.Ordinal);
}
