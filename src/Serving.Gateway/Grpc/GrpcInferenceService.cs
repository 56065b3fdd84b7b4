using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Serving.Core.Rollouts;
using Serving.Gateway.Batching;
using Serving.Gateway.Grpc.Protocol;
using Serving.Gateway.Inference;
using Serving.Gateway.Protocol;
using Serving.Gateway.Registry;
using Serving.Gateway.Remote;
using ModelMetadataResponse = Serving.Gateway.Grpc.Protocol.ModelMetadataResponse;
using ServerMetadataResponse = Serving.Gateway.Grpc.Protocol.ServerMetadataResponse;

namespace Serving.Gateway.Grpc;

/// <summary>
/// The gRPC adapter of <see cref="InferenceCore"/>: <c>inference.GRPCInferenceService</c> of the Open
/// Inference Protocol. Same routing (routing key and preview from request metadata), batching, drift and
/// rollout recording as REST; failures become gRPC statuses in <see cref="GrpcErrors"/>.
/// </summary>
internal sealed class GrpcInferenceService : GRPCInferenceService.GRPCInferenceServiceBase
{
    private static readonly Task<ServerLiveResponse> Live = Task.FromResult(new ServerLiveResponse { Live = true });

    private readonly InferenceCore _core;
    private readonly ModelHost _host;
    private readonly RegistryLifecycleService _registry;
    private readonly WorkerPool _workers;
    private readonly bool _strictReadiness;

    public GrpcInferenceService(InferenceCore core, ModelHost host, RegistryLifecycleService registry, WorkerPool workers, IOptions<ProtocolOptions> options)
    {
        _strictReadiness = options.Value.StrictReadiness;
        _core = core;
        _host = host;
        _registry = registry;
        _workers = workers;
    }

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) => Live;

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = MetadataEndpoints.Readiness(_host, _registry.Degraded, _workers, _strictReadiness).Ready });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var metadata = MetadataEndpoints.ServerMetadata;
        var response = new ServerMetadataResponse { Name = metadata.Name, Version = metadata.Version };
        response.Extensions.Add(metadata.Extensions);
        return Task.FromResult(response);
    }

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        var failure = MetadataEndpoints.Ready(_core, request.Name, VersionOrNull(request.Version));
        if (failure.Error is not (InferenceError.None or InferenceError.Unavailable or InferenceError.LoadFailed))
        {
            throw GrpcErrors.ToException(failure);
        }
        return Task.FromResult(new ModelReadyResponse { Ready = !failure.Failed });
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var metadata = MetadataEndpoints.Describe(_core, request.Name, VersionOrNull(request.Version), out var failure)
            ?? throw GrpcErrors.ToException(failure);
        var response = new ModelMetadataResponse { Name = metadata.Name, Platform = metadata.Platform };
        response.Versions.Add(metadata.Versions);
        foreach (var input in metadata.Inputs)
        {
            response.Inputs.Add(Tensor(input));
        }
        foreach (var output in metadata.Outputs)
        {
            response.Outputs.Add(Tensor(output));
        }
        return Task.FromResult(response);
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var http = context.GetHttpContext();
        var route = _core.Route(request.ModelName, request.ModelVersion, new HttpRoutingHeaders(http.Request.Headers));
        if (route.IsRemote)
        {
            throw GrpcErrors.ToException(new InferenceFailure(InferenceError.Unsupported,
                $"Model '{route.RemoteModel}' is served by workers, which this gateway reaches over REST: call POST /v2/models/{route.RemoteModel}/infer."));
        }
        if (route.Failure.Failed)
        {
            throw GrpcErrors.ToException(route.Failure);
        }
        var version = route.Version!;
        try
        {
            var failure = InferenceCore.Admit(version);
            if (failure.Failed)
            {
                throw GrpcErrors.ToException(failure);
            }
            var item = InferenceWorkItem.Rent();
            try
            {
                item.Request.Bind(version.Signature!);
                var error = GrpcRequestDecoder.Decode(request, item.Request);
                if (error is not null)
                {
                    throw GrpcErrors.ToException(InferenceCore.Invalid(version, error));
                }
                item.RequestId = RequestIds.Resolve(request.Id, http.Request.Headers[RequestIds.Header]);
                failure = InferenceCore.Enqueue(route, item, context.CancellationToken);
                if (failure.Failed)
                {
                    throw GrpcErrors.ToException(failure);
                }
                var status = await item.Completion;
                failure = _core.Completed(route, item, status, started);
                if (failure.Failed)
                {
                    throw GrpcErrors.ToException(failure);
                }
                var variant = VariantNames.Of(route.Variant);
                var response = GrpcResponseEncoder.Encode(request, version, item, variant);
                response.Id = item.RequestId;
                var headers = http.Response.Headers;
                if (RequestIds.IsHeaderSafe(item.RequestId))
                {
                    headers[RequestIds.Header] = item.RequestId;
                }
                headers["x-model-version"] = version.VersionText;
                headers["x-model-variant"] = variant;
                _core.Record(route, item, started);
                return response;
            }
            finally
            {
                InferenceWorkItem.Return(item);
            }
        }
        finally
        {
            version.Release();
        }
    }

    private static string? VersionOrNull(string version) => version.Length == 0 ? null : version;

    private static ModelMetadataResponse.Types.TensorMetadata Tensor(TensorMetadata metadata)
    {
        var tensor = new ModelMetadataResponse.Types.TensorMetadata { Name = metadata.Name, Datatype = metadata.Datatype };
        tensor.Shape.Add(metadata.Shape);
        return tensor;
    }
}
