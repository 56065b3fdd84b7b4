namespace Serving.Gateway.Security;

/// <summary>Which requests need a credential, and which count against a quota.</summary>
internal static class AccessPaths
{
    public const string GrpcServicePrefix = "/inference.GRPCInferenceService/";

    /// <summary>
    /// Health checks (REST <c>/v2/health/*</c>, gRPC <c>ServerLive</c> and <c>ServerReady</c>) and
    /// everything outside the inference protocol (<c>/metrics</c>, the admin API with its own
    /// authentication, the console) are <see cref="RequestAccess.Open"/>; inference itself (REST
    /// <c>.../infer</c>, gRPC <c>ModelInfer</c>) is <see cref="RequestAccess.Inference"/>; the rest of the
    /// protocol (server and model metadata, model readiness) is <see cref="RequestAccess.Protected"/>.
    /// </summary>
    public static RequestAccess Classify(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return RequestAccess.Open;
        }
        if (path.StartsWith(GrpcServicePrefix, StringComparison.Ordinal))
        {
            var method = path.AsSpan(GrpcServicePrefix.Length);
            return method switch
            {
                "ModelInfer" => RequestAccess.Inference,
                "ServerLive" or "ServerReady" => RequestAccess.Open,
                _ => RequestAccess.Protected,
            };
        }
        if (!path.StartsWith("/v2", StringComparison.Ordinal) || (path.Length > 3 && path[3] != '/'))
        {
            return RequestAccess.Open;
        }
        if (path.StartsWith("/v2/health/", StringComparison.Ordinal))
        {
            return RequestAccess.Open;
        }
        return Protocol.InferenceEndpoint.TryMatch(path, out _, out _) ? RequestAccess.Inference : RequestAccess.Protected;
    }

    /// <summary>Whether the request is a gRPC call (its refusals are gRPC statuses).</summary>
    public static bool IsGrpc(string? path) => path is not null && path.StartsWith(GrpcServicePrefix, StringComparison.Ordinal);
}
