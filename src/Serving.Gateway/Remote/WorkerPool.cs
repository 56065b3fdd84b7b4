using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using Serving.Core.Registry;
using Serving.Gateway.Protocol;
using Serving.Gateway.Storage;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Serving.Gateway.Remote;

/// <summary>
/// The gateway's view of its workers: which YARP cluster (see <see cref="WorkerClusters"/>) serves a
/// model, their health for readiness and metrics, and the registry's default version of each model, so
/// that a gateway that loads nothing still names the version it routes to.
/// </summary>
internal sealed class WorkerPool
{
    private readonly IProxyStateLookup _proxy;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _models;
    private readonly bool _hasWildcard;
    private volatile FrozenDictionary<string, int> _defaults = FrozenDictionary<string, int>.Empty;
    private volatile FrozenDictionary<string, int[]> _loadable = FrozenDictionary<string, int[]>.Empty;

    public WorkerPool(IProxyStateLookup proxy, IOptions<RemoteOptions> options, IOptions<StorageOptions> storage)
    {
        _proxy = proxy;
        var models = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cluster in WorkerClusters.Build(options.Value))
        {
            if (cluster.ClusterId == WorkerClusters.Wildcard)
            {
                _hasWildcard = true;
            }
            else
            {
                models.Add(cluster.ClusterId);
            }
        }
        _models = models.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        HasWorkers = _hasWildcard || models.Count > 0;
        if (options.Value.Role == ServingRole.Gateway && HasWorkers && storage.Value.Redis is null)
        {
            // Each worker would keep a registry of its own: a promotion through the gateway would name a
            // version the workers have never heard of, and every default request would fail.
            throw new OptionsValidationException(nameof(RemoteOptions.Workers), typeof(RemoteOptions),
                ["Serving:Role=gateway with workers needs a registry shared with the workers: set Serving:Redis (the same on the gateway and every worker), e.g. --Serving:Redis=localhost:6379."]);
        }
        if (HasWorkers)
        {
            Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(UpdateHealthGauge);
        }
    }

    /// <summary>True when any worker (or a DNS name for workers) is configured.</summary>
    public bool HasWorkers { get; }

    /// <summary>The cluster of the workers hosting <paramref name="model"/>: its own, or the wildcard one.</summary>
    public bool TryGetCluster(ReadOnlySpan<char> model, out ClusterState cluster)
    {
        if (_models.TryGetValue(model, out var id))
        {
            return _proxy.TryGetCluster(id, out cluster!);
        }
        cluster = null!;
        return _hasWildcard && _proxy.TryGetCluster(WorkerClusters.Wildcard, out cluster!);
    }

    /// <summary>Each cluster's model (empty for the wildcard cluster) and whether a destination that passed its last probe takes traffic.</summary>
    public List<(string Model, bool Ready)> ClusterReadiness()
    {
        var result = new List<(string, bool)>();
        foreach (var cluster in _proxy.GetClusters())
        {
            var ready = false;
            foreach (var destination in cluster.DestinationsState.AvailableDestinations)
            {
                ready |= destination.Health.Active == DestinationHealth.Healthy;
            }
            result.Add((cluster.ClusterId == WorkerClusters.Wildcard ? "" : cluster.ClusterId, ready));
        }
        return result;
    }

    /// <summary>Every worker once: healthy when some cluster has it available after a passed probe, and its requests in flight.</summary>
    public List<WorkerReadiness> DestinationReadiness()
    {
        var byAddress = new Dictionary<string, WorkerReadiness>(StringComparer.OrdinalIgnoreCase);
        foreach (var cluster in _proxy.GetClusters())
        {
            var available = cluster.DestinationsState.AvailableDestinations;
            foreach (var destination in cluster.Destinations.Values)
            {
                var address = destination.Model.Config.Address;
                var healthy = destination.Health.Active == DestinationHealth.Healthy && Contains(available, destination);
                var inFlight = destination.ConcurrentRequestCount;
                if (byAddress.TryGetValue(address, out var seen))
                {
                    byAddress[address] = seen with { Healthy = seen.Healthy || healthy, InFlight = seen.InFlight + inFlight };
                }
                else
                {
                    byAddress[address] = new WorkerReadiness(address, healthy, inFlight);
                }
            }
        }
        var result = new List<WorkerReadiness>(byAddress.Values);
        result.Sort(static (a, b) => string.CompareOrdinal(a.Address, b.Address));
        return result;
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

    private static bool Contains(IReadOnlyList<DestinationState> destinations, DestinationState destination)
    {
        for (var i = 0; i < destinations.Count; i++)
        {
            if (ReferenceEquals(destinations[i], destination))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Sets <c>serving_forward_destination_healthy</c> before each scrape; workers that left (DNS) lose their series.</summary>
    private void UpdateHealthGauge()
    {
        var current = DestinationReadiness();
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var worker in current)
        {
            present.Add(worker.Address);
            ForwardMetrics.DestinationHealthy.WithLabels(worker.Address).Set(worker.Healthy ? 1 : 0);
        }
        foreach (var labels in ForwardMetrics.DestinationHealthy.GetAllLabelValues())
        {
            if (!present.Contains(labels[0]))
            {
                ForwardMetrics.DestinationHealthy.RemoveLabelled(labels);
            }
        }
    }
}
