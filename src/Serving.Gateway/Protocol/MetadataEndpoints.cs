using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Serving.Core.Protocol;
using Serving.Gateway.Inference;
using Serving.Gateway.Registry;
using Serving.Gateway.Remote;
using Serving.Gateway.Rollouts;

namespace Serving.Gateway.Protocol;

/// <summary>Health, server metadata, model metadata and readiness of the Open Inference Protocol.</summary>
internal static class MetadataEndpoints
{
    internal static readonly ServerMetadataResponse ServerMetadata = new(
        "serving", typeof(MetadataEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0", ["binary_tensor_data"]);

    public static IEndpointRouteBuilder MapProtocolMetadata(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v2/health/live", static () => Results.Ok());
        app.MapGet("/v2/health/ready", static (ModelHost host, RegistryLifecycleService registry, WorkerPool workers, RolloutSyncService rollouts, DrainSignal drain, IOptions<ProtocolOptions> options) =>
        {
            var detail = Readiness(host, registry.Degraded, workers, options.Value.StrictReadiness, rollouts.Table);
            if (drain.IsDraining)
            {
                // Stopping (SIGTERM): still serving, but load balancers should send nothing new.
                detail = detail with { Ready = false, Registry = "draining" };
            }
            return Results.Json(detail, ProtocolJsonContext.Readable.ReadinessResponse,
                statusCode: detail.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/v2", static () => Results.Json(ServerMetadata, ProtocolJsonContext.Readable.ServerMetadataResponse));
        app.MapGet("/v2/models/{model}", static (string model, InferenceCore core) => Metadata(core, model, null));
        app.MapGet("/v2/models/{model}/versions/{version}", static (string model, string version, InferenceCore core) => Metadata(core, model, version));
        app.MapGet("/v2/models/{model}/ready", static (string model, InferenceCore core) => ProtocolErrors.Result(Ready(core, model, null)));
        app.MapGet("/v2/models/{model}/versions/{version}/ready", static (string model, string version, InferenceCore core) => ProtocolErrors.Result(Ready(core, model, version)));
        return app;
    }

    /// <summary>
    /// Ready once the first load has finished and every model has a version that answers. A degraded
    /// registry (store unreachable) does not make the gateway unready: it keeps serving the last known
    /// state, and the detail says so. Models served by workers (those not hosted here) need a worker
    /// that passed its last health probe. A model answered by other versions than its registry and
    /// rollout name stays ready and says why in <c>degraded</c> (<see cref="ModelDegradation"/>).
    /// </summary>
    internal static ReadinessResponse Readiness(ModelHost host, string? registryDegraded, WorkerPool workers, bool strict, RolloutTable? rollouts = null)
    {
        var models = new List<ModelReadiness>();
        List<string>? driftUnavailable = null;
        var ready = host.InitialLoadComplete;
        foreach (var servedModel in host.Catalog.Models)
        {
            var modelReady = servedModel.DefaultVersion() is not null;
            // A failed load stays failed until it is retried or the registry changes: unless readiness is
            // strict, it is reported (below and in serving_model_version_state) rather than gating.
            ready &= modelReady || (!strict && servedModel.DefaultFailed());
            models.Add(new ModelReadiness(servedModel.Name, modelReady, Statuses(servedModel.Versions), ModelDegradation.Describe(servedModel, rollouts ?? RolloutTable.Empty)));
            foreach (var version in servedModel.Versions)
            {
                // Reported, not failing readiness: the version serves; only its drift monitoring is off.
                if (version.DriftUnavailable is { } reason && version.State == VersionState.Ready)
                {
                    (driftUnavailable ??= []).Add($"{servedModel.Name} v{version.VersionText}: {reason}");
                }
            }
        }
        List<WorkerReadiness>? workerDetail = null;
        if (workers.HasWorkers)
        {
            var localModels = models.Count;
            foreach (var (model, clusterReady) in workers.ClusterReadiness())
            {
                if (model.Length == 0 ? localModels > 0 : host.Catalog.TryGetModel(model, out _))
                {
                    // Hosted here, or a wildcard beside local models: local readiness decides.
                    continue;
                }
                ready &= clusterReady;
                if (model.Length > 0)
                {
                    models.Add(new ModelReadiness(model, clusterReady, []));
                }
            }
            workerDetail = workers.DestinationReadiness();
        }
        models.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new ReadinessResponse(ready, registryDegraded is null ? "ok" : "degraded: " + registryDegraded, models, workerDetail, driftUnavailable);
    }

    private static IResult Metadata(InferenceCore core, string model, string? versionText)
    {
        var metadata = Describe(core, model, versionText, out var failure);
        return metadata is null
            ? ProtocolErrors.Result(failure)
            : Results.Json(metadata, ProtocolJsonContext.Readable.ModelMetadataResponse);
    }

    /// <summary>
    /// The metadata of a model (at a version or alias, or the default version's signature): REST writes it
    /// as JSON, gRPC as its message. Null with <paramref name="failure"/> set when there is none.
    /// </summary>
    internal static ModelMetadataResponse? Describe(InferenceCore core, string model, string? versionText, out InferenceFailure failure)
    {
        failure = core.Find(model, versionText, out var servedModel, out var version);
        if (failure.Failed)
        {
            return null;
        }
        var versions = new List<string>();
        foreach (var v in servedModel!.Versions)
        {
            if (v.State == VersionState.Ready)
            {
                versions.Add(v.VersionText);
            }
        }
        var shown = version ?? servedModel.DefaultVersion();
        if (shown?.Signature is null)
        {
            failure = new InferenceFailure(InferenceError.Unavailable,
                shown is null ? $"Model '{model}' has no ready version." : InferenceCore.NotReadyMessage(shown));
            return null;
        }
        return new ModelMetadataResponse(
            servedModel.Name,
            version is null ? versions : [version.VersionText],
            "onnxruntime_onnx",
            Tensors(shown.Signature.Inputs),
            Tensors(shown.Signature.Outputs),
            Statuses(version is null ? servedModel.Versions : [version]));
    }

    /// <summary>Whether a model (at a version or alias, or by default) can answer now; the failure says why not.</summary>
    internal static InferenceFailure Ready(InferenceCore core, string model, string? versionText)
    {
        var failure = core.Find(model, versionText, out var servedModel, out var version);
        if (failure.Failed)
        {
            return failure;
        }
        var ready = version is null ? servedModel!.DefaultVersion() is not null : version.State == VersionState.Ready;
        return ready ? default : new InferenceFailure(InferenceError.Unavailable,
            version is null ? $"Model '{model}' has no ready version." : InferenceCore.NotReadyMessage(version));
    }

    private static List<TensorMetadata> Tensors(IReadOnlyList<TensorSpec> specs)
    {
        var list = new List<TensorMetadata>(specs.Count);
        foreach (var spec in specs)
        {
            list.Add(new TensorMetadata(spec.Name, TensorDataTypes.Name(spec.DataType), spec.Shape));
        }
        return list;
    }

    private static List<VersionStatus> Statuses(IEnumerable<LoadedVersion> versions)
    {
        var list = new List<VersionStatus>();
        foreach (var v in versions)
        {
            list.Add(new VersionStatus(v.VersionText, v.State.ToString().ToUpperInvariant(), v.Provider, v.PublicFailureReason));
        }
        return list;
    }
}
