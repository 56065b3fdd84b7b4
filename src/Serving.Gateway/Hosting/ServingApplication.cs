using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Prometheus;
using Serving.Gateway.Admin;
using Serving.Gateway.Alerts;
using Serving.Gateway.Batching;
using Serving.Gateway.ConceptDrift;
using Serving.Gateway.Drift;
using Serving.Gateway.Experiments;
using Serving.Gateway.Grpc;
using Serving.Gateway.Inference;
using Serving.Gateway.Metrics;
using Serving.Gateway.OnCall;
using Serving.Gateway.Outcomes;
using Serving.Gateway.PayloadLog;
using Serving.Gateway.Protocol;
using Serving.Gateway.Registry;
using Serving.Gateway.Remote;
using Serving.Gateway.Rollouts;
using Serving.Gateway.Security;
using Serving.Gateway.Storage;
using Serving.Gateway.Tracing;
using Yarp.ReverseProxy.Model;

namespace Serving.Gateway.Hosting;

/// <summary>Registers the gateway's services and maps its endpoints; Program.cs and the tests both use it.</summary>
public static class ServingApplication
{
    /// <summary>Adds the gateway's services and options to <paramref name="builder"/>.</summary>
    public static WebApplicationBuilder AddServing(this WebApplicationBuilder builder)
    {
        ServingMetrics.SuppressPerRequestFrameworkMetrics();
        var services = builder.Services;
        // Per-request hosting and routing logs cost more than the inference of a small model; keep
        // ASP.NET's own categories at Warning unless configuration asks for more.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The hosting layer starts an Activity for every request whenever its own category is enabled
        // at any level, only to scope its request logs; it logs nothing above Information that Kestrel
        // does not log itself (unhandled exceptions are Kestrel's), so switch it off.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // YARP logs every forwarded request (and every forwarding error) at Information; the forwarder
        // logs the failures that matter itself.
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        var configuration = builder.Configuration;
        // Each subsystem's settings, bound once and checked when the process starts (a bad value stops it
        // with a message naming the setting).
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.Section));
        services.AddCheckedOptions<ProtocolOptions>(configuration, ProtocolOptions.Section);
        services.AddCheckedOptions<RemoteOptions>(configuration, RemoteOptions.Section);
        services.AddCheckedOptions<ModelHostOptions>(configuration, ModelHostOptions.Section);
        services.AddCheckedOptions<OnnxRuntimeOptions>(configuration, OnnxRuntimeOptions.Section);
        services.AddCheckedOptions<BatchingDefaults>(configuration, BatchingDefaults.Section);
        services.AddCheckedOptions<ShadowOptions>(configuration, ShadowOptions.Section);
        services.AddCheckedOptions<ShutdownOptions>(configuration, ShutdownOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(static sp => sp.GetRequiredService<IOptions<OnnxRuntimeOptions>>().Value);
        services.AddCheckedOptions<DriftOptions>(configuration, DriftOptions.Section);
        services.AddCheckedOptions<AlertOptions>(configuration, AlertOptions.Section);
        services.Configure<ConsoleOptions>(configuration.GetSection("Serving:Console"));
        services.AddSingleton<SessionFactory>();
        services.AddSingleton<DriftMonitorFactory>();
        services.AddDriftWindowExchange(builder.Configuration);
        services.AddDriftStateStore(builder.Configuration);
        services.AddSingleton<AlertNotifier>();
        services.AddHostedService(static sp => sp.GetRequiredService<AlertNotifier>());
        services.AddSingleton<DriftAlerts>();
        services.AddSingleton<DriftService>();
        services.AddHostedService(static sp => sp.GetRequiredService<DriftService>());
        services.AddSingleton<ModelHost>();
        services.AddSingleton<IMonitoredVersions>(static sp => sp.GetRequiredService<ModelHost>());
        services.AddWorkerForwarding();
        services.AddSingleton<AliasTable>();
        services.AddOutcomes(builder.Configuration);
        services.AddSingleton<InferenceCore>();
        services.AddSingleton<RequestBufferBudget>();
        services.AddSingleton<RequestBodyReader>();
        services.AddSingleton<InferenceEndpoint>();
        services.AddSingleton<RolloutLoop>();
        services.AddSingleton<IRolloutActionSink>(static sp => sp.GetRequiredService<RolloutLoop>());
        services.AddSingleton<IRolloutStatusSource>(static sp => sp.GetRequiredService<RolloutLoop>());
        services.AddHostedService(static sp => sp.GetRequiredService<RolloutLoop>());
        services.AddServingRollouts(builder.Configuration);
        services.AddServingExperiments(builder.Configuration);
        services.AddConceptDrift(builder.Configuration);
        services.AddPayloadLog(builder.Configuration);
        services.AddSingleton<ShadowDispatcher>();
        services.AddSingleton<RolloutSyncService>();
        services.AddSingleton<IRolloutPolicies>(static sp => sp.GetRequiredService<RolloutSyncService>());
        services.AddHostedService(static sp => sp.GetRequiredService<RolloutSyncService>());
        services.AddServingRegistry(builder.Configuration);
        services.AddSingleton<RegistryLifecycleService>();
        services.AddHostedService(static sp => sp.GetRequiredService<RegistryLifecycleService>());
        // Kestrel reads connections into pools from this factory: bounded, and trimmed after a burst.
        services.AddSingleton<BoundedBlockPoolFactory>();
        services.AddSingleton<IMemoryPoolFactory<byte>>(static sp => sp.GetRequiredService<BoundedBlockPoolFactory>());
        services.AddSingleton<MemoryTrimService>();
        services.AddHostedService(static sp => sp.GetRequiredService<MemoryTrimService>());
        services.AddSingleton<DrainSignal>();
        services.AddSingleton<DrainService>();
        services.AddHostedService(static sp => sp.GetRequiredService<DrainService>());
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>(static (host, shutdown) => host.ShutdownTimeout = shutdown.Value.Total);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ProtocolOptions>>(static (kestrel, protocol) =>
        {
            kestrel.Limits.MaxRequestBodySize = protocol.Value.MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        // Registrations that depend on a setting read it typed, before the options are built.
        var role = (configuration.GetSection(RemoteOptions.Section).Get<RemoteOptions>() ?? new RemoteOptions()).Role;
        builder.AddServingTracing(role.ToString().ToLowerInvariant());
        builder.AddServingGrpc(configuration.GetSection(ProtocolOptions.Section).Get<ProtocolOptions>() ?? new ProtocolOptions(), role);
        builder.AddServingTls();
        builder.AddInferenceAccess();
        services.ConfigureHttpJsonOptions(static o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJsonContext.Default));
        return builder;
    }

    /// <summary>Forwards a request for a model hosted by workers as it is, answering with the error forwarding owes when none answered.</summary>
    private static async Task ForwardUnchangedAsync(RemoteForwarder forwarder, HttpContext context, ClusterState cluster, string model)
    {
        var forwarded = await forwarder.ForwardUnchangedAsync(context, cluster, model).ConfigureAwait(false);
        await ProtocolErrors.WriteAsync(context, forwarded).ConfigureAwait(false);
    }

    /// <summary>Adds the inference path and the protocol, metrics and health endpoints to <paramref name="app"/>.</summary>
    public static WebApplication UseServing(this WebApplication app)
    {
        // Every setting is checked before any subsystem is built, so that all the bad ones are reported at once.
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        var infer = app.Services.GetRequiredService<InferenceEndpoint>();
        var host = app.Services.GetRequiredService<ModelHost>();
        var workers = app.Services.GetRequiredService<WorkerPool>();
        var forwarder = app.Services.GetRequiredService<RemoteForwarder>();
        app.UseInferenceAccess();
        app.Use(next => context =>
        {
            if (InferenceEndpoint.TryMatch(context.Request.Path.Value, out var model, out var version))
            {
                return HttpMethods.IsPost(context.Request.Method)
                    ? infer.HandleAsync(context, model, version)
                    : ProtocolErrors.MethodNotAllowedAsync(context, "POST");
            }
            if (workers.HasWorkers && HttpMethods.IsGet(context.Request.Method)
                && RemoteMetadata.TryMatchModel(context.Request.Path.Value, out var name)
                && !host.Catalog.TryGetModel(name, out _) && workers.TryGetCluster(name, out var cluster))
            {
                // Metadata and readiness of a model hosted by workers: one of them answers, unchanged.
                return ForwardUnchangedAsync(forwarder, context, cluster, name.ToString());
            }
            return next(context);
        });
        // Routing answers unrouted paths (404) and wrong methods (405) without a body: give them one.
        app.UseStatusCodePages(ProtocolErrors.DescribeStatusAsync);
        app.UseRouting();
        app.UseWorkerClusters();
        app.MapProtocolMetadata();
        app.MapMetrics("/metrics");
        app.MapOnCallConsole();
        app.MapAdminModels();
        app.MapAdminDrift();
        app.MapAdminRollouts();
        app.MapAdminAlerts();
        app.MapFeedback();
        app.MapAdminPerformance();
        app.MapServingGrpc();
        return app;
    }
}
