using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Serving.Gateway.Remote;

/// <summary>
/// YARP's destination resolver for workers found by DNS (<c>Serving:Forwarding:WorkersDns</c>): the
/// destination marked <see cref="WorkerClusters.DnsMetadata"/> becomes one destination per A/AAAA record
/// of its host name (a Kubernetes headless Service has one per ready pod), and YARP asks again every
/// <see cref="ForwardingOptions.ResolveInterval"/>, so workers that come and go join and leave the
/// clusters without a restart. A lookup that fails keeps the addresses of the last one that succeeded.
/// Names are looked up with the system resolver, or at <see cref="ForwardingOptions.DnsServer"/> when set.
/// </summary>
internal sealed partial class WorkerDnsResolver : IDestinationResolver
{
    private readonly ForwardingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WorkerDnsResolver> _logger;
    private readonly LookupClient? _client;
    private readonly ConcurrentDictionary<string, IPAddress[]> _lastKnown = new(StringComparer.OrdinalIgnoreCase);

    public WorkerDnsResolver(IOptions<RemoteOptions> options, TimeProvider time, ILogger<WorkerDnsResolver> logger)
    {
        _options = options.Value.Forwarding;
        _time = time;
        _logger = logger;
        if (!string.IsNullOrWhiteSpace(_options.DnsServer))
        {
            if (!IPEndPoint.TryParse(_options.DnsServer, out var server))
            {
                throw new OptionsValidationException("Serving:Forwarding:DnsServer", typeof(RemoteOptions),
                    [$"Serving:Forwarding:DnsServer: '{_options.DnsServer}' is not an IP address with an optional port."]);
            }
            if (server.Port == 0)
            {
                server.Port = 53;
            }
            _client = new LookupClient(new LookupClientOptions(server) { UseCache = false, Timeout = _options.HealthCheckTimeout, Retries = 1 });
        }
    }

    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        Dictionary<string, DestinationConfig>? resolved = null;
        foreach (var (id, destination) in destinations)
        {
            if (destination.Metadata is null || !destination.Metadata.ContainsKey(WorkerClusters.DnsMetadata))
            {
                continue;
            }
            resolved ??= new Dictionary<string, DestinationConfig>(destinations.Count, StringComparer.Ordinal);
            var uri = new Uri(destination.Address);
            foreach (var address in await LookupAsync(uri.DnsSafeHost, cancellationToken).ConfigureAwait(false))
            {
                var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
                var expanded = $"{uri.Scheme}://{host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}";
                resolved[expanded] = new DestinationConfig { Address = expanded };
            }
        }
        if (resolved is null)
        {
            return new ResolvedDestinationCollection(destinations, null);
        }
        foreach (var (id, destination) in destinations)
        {
            if (destination.Metadata is null || !destination.Metadata.ContainsKey(WorkerClusters.DnsMetadata))
            {
                resolved.TryAdd(id, destination);
            }
        }
        // The source's timer fires the token; the token's registration is YARP's, the source is garbage once it fired.
        var refresh = new CancellationTokenSource(_options.ResolveInterval, _time);
        return new ResolvedDestinationCollection(resolved, new CancellationChangeToken(refresh.Token));
    }

    /// <summary>The addresses of <paramref name="name"/>, sorted; the last known ones when the lookup fails.</summary>
    private async Task<IPAddress[]> LookupAsync(string name, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = _client is null
                ? await Dns.GetHostAddressesAsync(name, cancellationToken).ConfigureAwait(false)
                : await QueryAsync(_client, name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or DnsResponseException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var kept = _lastKnown.GetValueOrDefault(name, []);
            LogLookupFailed(_logger, name, kept.Length, ex.Message);
            return kept;
        }
        Array.Sort(addresses, static (a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
        var previous = _lastKnown.GetValueOrDefault(name);
        if (previous is null || !previous.AsSpan().SequenceEqual(addresses))
        {
            LogResolved(_logger, name, string.Join<IPAddress>(", ", addresses));
        }
        _lastKnown[name] = addresses;
        return addresses;
    }

    private static async Task<IPAddress[]> QueryAsync(LookupClient client, string name, CancellationToken cancellationToken)
    {
        var v4 = await client.QueryAsync(name, QueryType.A, cancellationToken: cancellationToken).ConfigureAwait(false);
        var v6 = await client.QueryAsync(name, QueryType.AAAA, cancellationToken: cancellationToken).ConfigureAwait(false);
        var addresses = new List<IPAddress>();
        foreach (var record in v4.Answers)
        {
            if (record is ARecord a)
            {
                addresses.Add(a.Address);
            }
        }
        foreach (var record in v6.Answers)
        {
            if (record is AaaaRecord aaaa)
            {
                addresses.Add(aaaa.Address);
            }
        }
        return [.. addresses];
    }

    [LoggerMessage(EventId = 1603, Level = LogLevel.Information, Message = "Workers at {Name}: {Addresses}")]
    private static partial void LogResolved(ILogger logger, string name, string addresses);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Warning, Message = "Looking up workers at {Name} failed ({Reason}); keeping the {Count} addresses found last")]
    private static partial void LogLookupFailed(ILogger logger, string name, int count, string reason);
}
