namespace Serving.Gateway.Inference;

/// <summary>Where a model version is in its life in this process.</summary>
internal enum VersionState
{
    /// <summary>Session being created and warmed up; not routable.</summary>
    Loading,
    /// <summary>Warmed up and routable.</summary>
    Ready,
    /// <summary>Could not be loaded; <see cref="LoadedVersion.FailureReason"/> says why (<see cref="LoadedVersion.PublicFailureReason"/> to clients).</summary>
    Failed,
    /// <summary>Leaving: takes no new requests, finishes the ones in flight, then unloads.</summary>
    Draining,
    /// <summary>Session disposed.</summary>
    Unloaded,
}
