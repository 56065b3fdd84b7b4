using Serving.Core.Rollouts;
using Serving.Gateway.Inference;
using Serving.Gateway.Rollouts;
using Yarp.ReverseProxy.Model;

namespace Serving.Gateway.Protocol;

/// <summary>
/// Where <see cref="InferenceCore.Route"/> sends a request: a local version (held: the caller releases
/// it), a worker, or a failure. A value type so that routing allocates nothing.
/// </summary>
internal readonly struct InferenceRoute
{
    private InferenceRoute(LoadedVersion? version, RouteVariant variant, RolloutRuntime? rollout, LoadedVersion? shadow,
        ClusterState? cluster, string? remoteModel, string? remoteVersion, InferenceFailure failure)
    {
        Version = version;
        Variant = variant;
        Rollout = rollout;
        Shadow = shadow;
        Cluster = cluster;
        RemoteModel = remoteModel;
        RemoteVersion = remoteVersion;
        Failure = failure;
    }

    /// <summary>The local version that answers, held until the caller calls <see cref="LoadedVersion.Release"/>.</summary>
    public LoadedVersion? Version { get; }

    /// <summary>The rollout variant the request is answered as (<see cref="RouteVariant.Default"/> outside rollouts).</summary>
    public RouteVariant Variant { get; }

    /// <summary>The rollout that routed the request, whose analysis records it; null outside rollouts.</summary>
    public RolloutRuntime? Rollout { get; }

    /// <summary>The version that gets a shadow copy of the request, if any.</summary>
    public LoadedVersion? Shadow { get; }

    /// <summary>The workers that answer a model (or version) this process does not host.</summary>
    public ClusterState? Cluster { get; }

    /// <summary>The model a worker is asked for.</summary>
    public string? RemoteModel { get; }

    /// <summary>The version (number or alias as the client gave it) a worker is asked for; null for the worker's default.</summary>
    public string? RemoteVersion { get; }

    public InferenceFailure Failure { get; }

    public bool IsRemote => Cluster is not null;

    public static InferenceRoute Local(LoadedVersion version, RouteVariant variant, RolloutRuntime? rollout, LoadedVersion? shadow) =>
        new(version, variant, rollout, shadow, null, null, null, default);

    public static InferenceRoute Remote(ClusterState cluster, string model, string? version, RouteVariant variant, RolloutRuntime? rollout) =>
        new(null, variant, rollout, null, cluster, model, version, default);

    public static InferenceRoute Fail(InferenceError error, string message) =>
        new(null, RouteVariant.Default, null, null, null, null, null, new InferenceFailure(error, message));
}
