using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Serving.Gateway.Remote;

/// <summary>
/// Turns <c>Serving:Workers</c> and <c>Serving:Forwarding:WorkersDns</c> into YARP clusters: one per
/// model that some worker lists, and the wildcard cluster (<see cref="Wildcard"/>) of the workers that
/// host every model (those that list none, and every worker found by DNS), which also belong to each
/// model's cluster. YARP runs the clusters: its active health checks probe every destination, its
/// passive health state keeps out one that failed a forwarded request, its power-of-two-choices policy
/// picks among the available ones, and <see cref="WorkerDnsResolver"/> expands the DNS name into one
/// destination per address.
/// </summary>
internal static class WorkerClusters
{
    /// <summary>The id of the cluster of workers that host every model.</summary>
    public const string Wildcard = "*";

    /// <summary>Destination metadata that marks an address whose host name <see cref="WorkerDnsResolver"/> expands.</summary>
    public const string DnsMetadata = "serving.dns";

    /// <summary>The clusters for <paramref name="options"/>; empty when no worker is configured.</summary>
    public static IReadOnlyList<ClusterConfig> Build(RemoteOptions options)
    {
        var wildcard = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal);
        var byModel = new Dictionary<string, Dictionary<string, DestinationConfig>>(StringComparer.Ordinal);
        foreach (var worker in options.Workers)
        {
            var address = Normalize(worker.Address, "Serving:Workers");
            var destination = new DestinationConfig { Address = address };
            if (worker.Models.Count == 0)
            {
                wildcard[address] = destination;
                continue;
            }
            foreach (var model in worker.Models)
            {
                if (!byModel.TryGetValue(model, out var destinations))
                {
                    byModel[model] = destinations = new(StringComparer.Ordinal);
                }
                destinations[address] = destination;
            }
        }
        if (!string.IsNullOrWhiteSpace(options.Forwarding.WorkersDns))
        {
            var configured = options.Forwarding.WorkersDns.Contains("://", StringComparison.Ordinal)
                ? options.Forwarding.WorkersDns
                : "http://" + options.Forwarding.WorkersDns;
            var address = Normalize(configured, "Serving:Forwarding:WorkersDns");
            wildcard["dns:" + address] = new DestinationConfig
            {
                Address = address,
                Metadata = new Dictionary<string, string> { [DnsMetadata] = "true" },
            };
        }
        var clusters = new List<ClusterConfig>();
        foreach (var (model, destinations) in byModel)
        {
            foreach (var (id, destination) in wildcard)
            {
                destinations.TryAdd(id, destination);
            }
            clusters.Add(Cluster(model, destinations, options.Forwarding));
        }
        if (wildcard.Count > 0)
        {
            clusters.Add(Cluster(Wildcard, wildcard, options.Forwarding));
        }
        return clusters;
    }

    private static ClusterConfig Cluster(string id, Dictionary<string, DestinationConfig> destinations, ForwardingOptions forwarding) => new()
    {
        ClusterId = id,
        Destinations = destinations,
        LoadBalancingPolicy = LoadBalancingPolicies.PowerOfTwoChoices,
        HealthCheck = new HealthCheckConfig
        {
            // Destinations not yet probed take traffic; one marked down by a probe or a transport failure does not.
            AvailableDestinationsPolicy = HealthCheckConstants.AvailableDestinations.HealthyAndUnknown,
            Active = new ActiveHealthCheckConfig
            {
                Enabled = true,
                Interval = forwarding.HealthCheckInterval,
                Timeout = forwarding.HealthCheckTimeout,
                Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                Path = forwarding.HealthCheckPath,
            },
        },
        Metadata = new Dictionary<string, string>
        {
            ["ConsecutiveFailuresHealthPolicy.Threshold"] = forwarding.UnhealthyAfter.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };

    private static string Normalize(string address, string setting)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new OptionsValidationException(setting, typeof(RemoteOptions), [$"{setting}: '{address}' is not an absolute http(s) address."]);
        }
        return address.TrimEnd('/');
    }
}
