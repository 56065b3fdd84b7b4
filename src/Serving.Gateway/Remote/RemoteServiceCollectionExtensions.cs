using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Serving.Gateway.Remote;

/// <summary>Registers forwarding to workers on YARP's cluster model.</summary>
internal static class RemoteServiceCollectionExtensions
{
    /// <summary>
    /// Adds YARP with the worker clusters of <see cref="WorkerClusters"/> (no routes: the inference
    /// endpoint decides what is forwarded), the DNS destination resolver, the pool and the forwarder.
    /// </summary>
    public static IServiceCollection AddWorkerForwarding(this IServiceCollection services)
    {
        services.AddReverseProxy();
        services.AddSingleton<IProxyConfigProvider>(static sp =>
            new InMemoryConfigProvider([], WorkerClusters.Build(sp.GetRequiredService<IOptions<RemoteOptions>>().Value)));
        services.AddSingleton<IDestinationResolver, WorkerDnsResolver>();
        services.AddSingleton<WorkerPool>();
        services.AddSingleton<RemoteForwarder>();
        return services;
    }

    /// <summary>Starts YARP's configuration (cluster states, DNS resolution, active health checks); it maps no route.</summary>
    public static WebApplication UseWorkerClusters(this WebApplication app)
    {
        app.MapReverseProxy();
        return app;
    }
}
